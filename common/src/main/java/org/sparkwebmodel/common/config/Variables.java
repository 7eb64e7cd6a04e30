package org.sparkwebmodel.common.config;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;

/**
 * The validated playbook variables, with the reference's names (reference §6). One variable set
 * serves every playbook, so one {@code --var} can be applied to a whole run.
 *
 * @param scratchSchema schema of the scratch and staged tables (default {@code scratch})
 * @param outputSchema schema of the derived tables, manifests and metadata (default {@code
 *     derived})
 * @param entropy suffix of every table name (default empty)
 * @param warehouse root folder or URI under which the Delta tables live (default {@code
 *     ./warehouse})
 * @param modelVersion written to {@code datamodel_metadata.model_version}
 * @param upsertLookbackDays days before the batch's earliest start in which derived rows are
 *     replaced (default 30)
 * @param stageNext whether main stages the touched users for the next module (default true)
 * @param skipDerived whether main skips the derived-table upsert (default false)
 * @param cleanupMode which scratch tables complete drops (default all)
 * @param endsRun whether complete drops {@code metadata_run_id} (default false)
 * @param registerTables {@code catalog: session}: whether every table the model keeps is also
 *     registered by name in the Spark session's catalog (a Hive metastore, Glue, Unity Catalog) at
 *     its warehouse location (default {@code none}: the warehouse's folders only)
 * @param base the base module's input and windows
 * @param pageViews the page-views module's rules
 * @param maintenance the maintenance playbook's retention
 */
public record Variables(
    String scratchSchema,
    String outputSchema,
    String entropy,
    String warehouse,
    String modelVersion,
    int upsertLookbackDays,
    boolean stageNext,
    boolean skipDerived,
    CleanupMode cleanupMode,
    boolean endsRun,
    boolean registerTables,
    Base base,
    PageViews pageViews,
    Maintenance maintenance) {

  /**
   * The maintenance playbook's variables ({@code module: maintenance}).
   *
   * @param vacuumRetentionHours VACUUM keeps the files of the versions of the last this many hours
   *     (default 168, Delta's 7 days)
   * @param vacuumForce whether a retention below 168 hours is allowed (default false)
   */
  public record Maintenance(int vacuumRetentionHours, boolean vacuumForce) {
    /** Delta's default deleted-file retention, 7 days: less is refused unless forced. */
    public static final int SAFE_RETENTION_HOURS = 168;
  }

  /**
   * The base module's variables (reference-base-page-views §8.1, DECISIONS 23; 0 is a real value).
   *
   * @param events where the atomic events table is: {@code schema.table} of the warehouse or a
   *     Delta table path or URI (default {@code <input_schema>.events})
   * @param inputSchema the schema of the events table when {@code events} is not set (default
   *     {@code atomic})
   * @param startDate the seed of both manifests: where collector time starts (default 2020-01-01)
   * @param lookbackWindowHours hours before the manifest maximum re-scanned for late events (6)
   * @param daysLateAllowed day boundaries allowed from device creation to sending, and from a
   *     session's first-seen time to its newest new event (3)
   * @param updateCadenceDays how far past the manifest maximum one run reads (7)
   * @param sessionLookbackDays how far back the session manifest is consulted (365)
   */
  public record Base(
      String events,
      String inputSchema,
      LocalDate startDate,
      int lookbackWindowHours,
      int daysLateAllowed,
      int updateCadenceDays,
      int sessionLookbackDays) {

    /** The events table's name: {@code events} when it is {@code schema.table}. */
    public TableName eventsTable() {
      return eventsLocation().isPresent() || events.isEmpty()
          ? new TableName(inputSchema, "events")
          : TableName.parse(events);
    }

    /** The events table's path or URI, when {@code events} is one (not a warehouse table). */
    public Optional<String> eventsLocation() {
      return events.isEmpty() || TableName.isQualifiedName(events)
          ? Optional.empty()
          : Optional.of(events);
    }
  }

  /**
   * The page-views module's variables (reference-base-page-views §8.2, DECISIONS 29–34).
   *
   * @param minimumVisitLength the JS tracker's minimum visit length in seconds (5)
   * @param heartbeat the JS tracker's heartbeat in seconds (10)
   * @param uaBotFilter whether page views whose useragent looks like a bot are dropped (true)
   * @param iab whether the IAB enrichment columns are filled (false)
   * @param uaParser whether the UA-parser enrichment columns are filled (false)
   * @param yauaa whether the YAUAA enrichment columns are filled (false)
   */
  public record PageViews(
      int minimumVisitLength,
      int heartbeat,
      boolean uaBotFilter,
      boolean iab,
      boolean uaParser,
      boolean yauaa) {}

  /** Where the tables are: the warehouse, and the events table when {@code events} is a path. */
  public Warehouse locations() {
    Warehouse tables = new Warehouse(warehouse);
    return base.eventsLocation().map(at -> tables.with(base.eventsTable(), at)).orElse(tables);
  }

  /** The name of a declared table in its schema, entropy applied. */
  public TableName table(ModelTable table) {
    return switch (table.place()) {
      case OUTPUT -> output(table.name());
      case SCRATCH -> scratch(table.name());
      case ATOMIC ->
          table.name().equals("events")
              ? base.eventsTable()
              : new TableName(base.inputSchema(), table.name());
    };
  }

  /** The name of a table in the scratch schema, entropy applied. */
  public TableName scratch(String name) {
    return new TableName(scratchSchema, name + entropy);
  }

  /** The name of a table in the output schema, entropy applied. */
  public TableName output(String name) {
    return new TableName(outputSchema, name + entropy);
  }

  /**
   * The values SQL templates see as {@code {{.name}}} (reference §6 names; {@code
   * upsert_lookback_days} is the same value as {@code upsert_lookback}).
   */
  public Map<String, String> templateValues() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("scratch_schema", scratchSchema);
    values.put("output_schema", outputSchema);
    values.put("entropy", entropy);
    values.put("warehouse", warehouse);
    values.put("model_version", modelVersion);
    values.put("upsert_lookback", String.valueOf(upsertLookbackDays));
    values.put("upsert_lookback_days", String.valueOf(upsertLookbackDays));
    values.put("stage_next", String.valueOf(stageNext));
    values.put("skip_derived", String.valueOf(skipDerived));
    values.put("cleanup_mode", cleanupMode.value());
    values.put("ends_run", String.valueOf(endsRun));
    values.put("catalog", registerTables ? "session" : "none");
    values.put("input_schema", base.inputSchema());
    values.put("events", base.eventsLocation().orElse(base.eventsTable().toString()));
    values.put("start_date", base.startDate().toString());
    values.put("lookback_window_hours", String.valueOf(base.lookbackWindowHours()));
    values.put("days_late_allowed", String.valueOf(base.daysLateAllowed()));
    values.put("update_cadence_days", String.valueOf(base.updateCadenceDays()));
    values.put("session_lookback_days", String.valueOf(base.sessionLookbackDays()));
    values.put("minimumVisitLength", String.valueOf(pageViews.minimumVisitLength()));
    values.put("heartbeat", String.valueOf(pageViews.heartbeat()));
    values.put("ua_bot_filter", String.valueOf(pageViews.uaBotFilter()));
    values.put("iab", String.valueOf(pageViews.iab()));
    values.put("ua_parser", String.valueOf(pageViews.uaParser()));
    values.put("yauaa", String.valueOf(pageViews.yauaa()));
    values.put("vacuum_retention_hours", String.valueOf(maintenance.vacuumRetentionHours()));
    values.put("vacuum_force", String.valueOf(maintenance.vacuumForce()));
    return values;
  }
}
