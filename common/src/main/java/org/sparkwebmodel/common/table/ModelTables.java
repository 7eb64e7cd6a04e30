package org.sparkwebmodel.common.table;

/**
 * The tables every module shares: the model's input ({@code page_views_staged}, which {@code load}
 * and {@code sample-data} fill and the first module reads) and the run's own tables. A module's own
 * tables are declared by the module.
 */
public final class ModelTables {
  private ModelTables() {}

  /** The page views the model starts from, one row per page view (reference §2.1). */
  public static final ModelTable PAGE_VIEWS_STAGED =
      ModelTable.scratch("page_views_staged", Schemas.PAGE_VIEWS).keyed("page_view_id");

  /** One row per module per run (reference §3.2); its rules are {@code QualityGate}'s. */
  public static final ModelTable DATAMODEL_METADATA =
      ModelTable.output("datamodel_metadata", Schemas.METADATA);

  /** The id shared by every module of a run, while the run is open. */
  public static final ModelTable METADATA_RUN_ID =
      ModelTable.scratch("metadata_run_id", Schemas.RUN_ID);
}
