package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.delta.Upsert;
import org.sparkwebmodel.common.step.BatchStats;
import org.sparkwebmodel.common.step.InputQuality;
import org.sparkwebmodel.common.step.ModelModule;
import org.sparkwebmodel.common.step.StepContext;
import org.sparkwebmodel.common.step.Transformed;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.sessions.SessionsJob;

/**
 * The users module (reference §5, DECISIONS.md 9–20): the users staged by sessions main in, {@code
 * users} out. Per user the relevant start is the earlier of its staged start and its {@code
 * users_manifest} start, {@code lower_limit} the earliest of those; main re-reads every session of
 * those users from {@code lower_limit} on (no upper bound), computes {@code users_this_run} ({@link
 * AggregateUsers}) and replaces their {@code users} rows from {@code lower_limit} on; complete
 * folds each processed user's earliest start into {@code users_manifest} before the staged rows go.
 * The step protocol ({@link ModelModule}) runs main, complete and destroy.
 */
public final class UsersJob extends ModelModule<UsersJob.StagedUsers, UsersJob.Batch> {

  /** {@code users}: one row per user, the 38 columns of Appendix B (reference §7.2). */
  public static final ModelTable USERS =
      ModelTable.output("users", UserColumns.USERS_SCHEMA)
          .keyed("domain_userid", "sessions", "page_views")
          .expectingNotNull(
              "network_userid",
              "start_tstamp",
              "end_tstamp",
              "engaged_time_in_s",
              "first_page_url",
              "last_page_url");

  /** {@code users_this_run}: this run's users, before the upsert. */
  public static final ModelTable USERS_THIS_RUN = USERS.batch("users_this_run");

  /** {@code users_manifest}: the earliest session start ever seen per user (DECISIONS 13). */
  public static final ModelTable USERS_MANIFEST =
      ModelTable.output("users_manifest", SessionsJob.USERID_MANIFEST)
          .keyed("domain_userid", "start_tstamp");

  /** {@code users_userids_this_run}: this run's users with their earliest known start. */
  public static final ModelTable USERIDS_THIS_RUN = USERS_MANIFEST.batch("users_userids_this_run");

  public UsersJob() {
    this(Clock.systemUTC());
  }

  /** A job whose run ids and run timestamps come from {@code clock} (tests). */
  UsersJob(Clock clock) {
    super(
        "users",
        clock,
        new Tables(
            SessionsJob.USERID_MANIFEST_STAGED,
            USERS,
            USERS_THIS_RUN,
            List.of(USERS, USERS_MANIFEST),
            List.of(USERIDS_THIS_RUN, USERS_THIS_RUN),
            Optional.empty()));
  }

  /** The staged users are not de-duplicated: the staged manifest is unique by construction. */
  public record StagedUsers() implements InputQuality {}

  /**
   * What the transform found.
   *
   * @param users the staged users (the step's rows read)
   * @param lowerLimit the earliest known session start of those users, where their rows are
   *     replaced from (DECISIONS 12); NULL when there are none
   */
  public record Batch(long users, Instant lowerLimit) implements Transformed {
    @Override
    public long rowsRead() {
      return users;
    }
  }

  @Override
  protected StagedUsers checkInput(StepContext step, StagedInput.Pinned input, Instant runStart) {
    step.store().requireSchema(input.table(), input().schema());
    step.store()
        .requireExists(
            step.name(SessionsJob.SESSIONS), "users main reads it; run sessions main first");
    step.store().requireSchema(step.name(SessionsJob.SESSIONS), SessionsJob.SESSIONS.schema());
    return new StagedUsers();
  }

  @Override
  protected Batch transform(StepContext step, StagedInput.Pinned input, StagedUsers quality) {
    // users_userids_this_run: the earliest known session start of every staged user (DECISIONS 9).
    Batch batch =
        step.log()
            .phase(
                "compute " + step.name(USERIDS_THIS_RUN),
                () -> {
                  Dataset<Row> stagedUsers =
                      input
                          .rows()
                          .where(col("domain_userid").isNotNull())
                          .groupBy("domain_userid")
                          .agg(min("start_tstamp").as("staged_start"));
                  Dataset<Row> manifest =
                      step.store()
                          .read(step.name(USERS_MANIFEST))
                          .withColumnRenamed("start_tstamp", "manifest_start");
                  step.store()
                      .overwrite(
                          step.name(USERIDS_THIS_RUN),
                          stagedUsers
                              .join(manifest, new String[] {"domain_userid"}, "left")
                              .select(
                                  col("domain_userid"),
                                  least(col("staged_start"), col("manifest_start"))
                                      .as("start_tstamp")));
                  Row limits =
                      step.store()
                          .read(step.name(USERIDS_THIS_RUN))
                          .agg(count(lit(1)).as("users"), min("start_tstamp").as("lower_limit"))
                          .first();
                  return new Batch(limits.getAs("users"), limits.getAs("lower_limit"));
                },
                b -> b.users() + " users, lower_limit " + b.lowerLimit());

    // users_this_run from every session of those users since lower_limit, no upper bound
    // (DECISIONS 10).
    step.log()
        .phase(
            "compute " + step.name(USERS_THIS_RUN),
            () -> {
              Dataset<Row> sessions = step.store().read(step.name(SessionsJob.SESSIONS));
              if (batch.lowerLimit() != null) {
                sessions = sessions.where(col("start_tstamp").geq(lit(batch.lowerLimit())));
              }
              Dataset<Row> users =
                  step.store().read(step.name(USERIDS_THIS_RUN)).select("domain_userid");
              step.store()
                  .overwrite(
                      step.name(USERS_THIS_RUN),
                      AggregateUsers.apply(sessions.join(users, "domain_userid")));
            },
            "written");
    return batch;
  }

  /** The users' rows are replaced from lower_limit on (DECISIONS 12). */
  @Override
  protected Optional<Instant> upsertFrom(Variables vars, Batch transformed, BatchStats batch) {
    return Optional.ofNullable(transformed.lowerLimit());
  }

  /**
   * Before the staged rows go: {@code users_manifest}, the earliest session start ever seen per
   * user, only ever earlier (DECISIONS 13).
   */
  @Override
  protected List<CompleteWrite> completeWrites() {
    return List.of(
        new CompleteWrite(
            "users_manifest",
            "update users_manifest",
            step -> {
              Upsert.Counts counts =
                  Upsert.update(
                      step.store(),
                      step.name(USERS_MANIFEST),
                      step.name(USERIDS_THIS_RUN),
                      List.of("domain_userid"),
                      Map.of("start_tstamp", "least(t.start_tstamp, s.start_tstamp)"),
                      // grouped by the non-NULL domain_userid, joined to unique keys
                      true);
              return step.name(USERS_MANIFEST)
                  + ": "
                  + counts.inserted()
                  + " added, "
                  + counts.updated()
                  + " updated";
            }));
  }
}
