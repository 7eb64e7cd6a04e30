package org.sparkwebmodel.common.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.TableName;

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
    boolean endsRun) {

  /** The name of a declared table in its schema, entropy applied. */
  public TableName table(ModelTable table) {
    return table.place() == ModelTable.Place.OUTPUT ? output(table.name()) : scratch(table.name());
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
    return values;
  }
}
