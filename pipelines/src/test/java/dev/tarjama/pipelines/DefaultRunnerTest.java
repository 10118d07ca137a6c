package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DefaultRunnerTest {
  @Test
  void noRunnerMeansFlinkEmbeddedWithASlotPerCore() {
    assertArrayEquals(
        new String[] {"--input=x", "--runner=FlinkRunner", "--flinkMaster=[local]",
            "--parallelism=4"},
        DefaultRunner.apply(new String[] {"--input=x"}, "flink", 4));
  }

  @Test
  void givenRunnerOrFlinkSettingsAreKept() {
    String[] direct = {"--runner=DirectRunner", "--input=x"};
    assertArrayEquals(direct, DefaultRunner.apply(direct, "flink", 4));
    assertArrayEquals(
        new String[] {"--parallelism=1", "--runner=FlinkRunner", "--flinkMaster=[local]"},
        DefaultRunner.apply(new String[] {"--parallelism=1"}, "flink", 4));
    assertArrayEquals(
        new String[] {"--flinkMaster=host:8081", "--runner=FlinkRunner", "--parallelism=2"},
        DefaultRunner.apply(new String[] {"--flinkMaster=host:8081"}, "flink", 2));
  }

  @Test
  void unitTestsMayKeepTheDirectRunner() {
    String[] args = {"--input=x"};
    assertArrayEquals(args, DefaultRunner.apply(args, "direct", 4));
    assertThrows(IllegalArgumentException.class, () -> DefaultRunner.apply(args, "spark", 4));
  }
}
