package org.sparkwebmodel.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where a configuration file's references point, locally and in object stores. */
class TestConfigFiles {
  @Test
  void referencesResolveAgainstTheReferringFilesFolder() {
    assertThat(ConfigFiles.resolve("configs/run.yml", "sessions/01-sessions-main.yml"))
        .isEqualTo(Path.of("configs/sessions/01-sessions-main.yml").toAbsolutePath().toString());
    assertThat(
            ConfigFiles.resolve(
                "s3://bucket/rel/configs/custom/main.yml", "../../sql/custom/depth.sql"))
        .isEqualTo("s3://bucket/rel/sql/custom/depth.sql");
    assertThat(ConfigFiles.resolve("gs://b/my configs/run.yml", "users/x.yml"))
        .isEqualTo("gs://b/my configs/users/x.yml");
    // absolute references and URIs stay as they are
    assertThat(ConfigFiles.resolve("configs/run.yml", "/abs/x.yml")).isEqualTo("/abs/x.yml");
    assertThat(ConfigFiles.resolve("configs/run.yml", "file:/abs/x.sql"))
        .isEqualTo("file:/abs/x.sql");
    assertThat(ConfigFiles.resolve("s3://b/run.yml", "gs://c/x.yml")).isEqualTo("gs://c/x.yml");
  }

  @Test
  void onlyUrisWithASchemeOtherThanFileAreRemote() {
    assertThat(ConfigFiles.isRemote("s3://b/x.yml")).isTrue();
    assertThat(ConfigFiles.isRemote("hdfs:///x.yml")).isTrue();
    assertThat(ConfigFiles.isRemote("file:/x.yml")).isFalse();
    assertThat(ConfigFiles.isRemote("configs/run.yml")).isFalse();
    assertThat(ConfigFiles.isRemote("C:\\configs\\run.yml")).isFalse();
  }
}
