package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.backend.BackendSpec;
import java.util.List;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class DefaultRunnerTest {
  static final BackendSpec API =
      BackendSpec.parse("name=a,url=http://127.0.0.1:9/v1,model=m,prompt=hala");
  static final BackendSpec LOCAL = BackendSpec.parse("name=b,kind=local,path=/nowhere");

  private static PipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(TranslateOptions.class);
  }

  @Test
  void apiBackendsWithoutRunnerOptionsRunOnFlinkEmbeddedWithASlotPerCore() {
    PipelineOptions options = options();
    assertTrue(DefaultRunner.apply(options, new String[0], List.of(API), "flink", 4));
    assertEquals(FlinkRunner.class, options.getRunner());
    assertEquals("[local]", options.as(FlinkPipelineOptions.class).getFlinkMaster());
    assertEquals(4, options.as(FlinkPipelineOptions.class).getParallelism());
  }

  @Test
  void givenRunnerAndFlinkSettingsAreKept() {
    PipelineOptions direct = options("--runner=DirectRunner");
    assertFalse(DefaultRunner.apply(
        direct, new String[] {"--runner=DirectRunner"}, List.of(API), "flink", 4));
    assertEquals(DirectRunner.class, direct.getRunner());
    PipelineOptions one = options("--parallelism=1");
    assertTrue(DefaultRunner.apply(one, new String[] {"--parallelism=1"}, List.of(API), "flink", 4));
    assertEquals(1, one.as(FlinkPipelineOptions.class).getParallelism());
  }

  @Test
  void inProcessModelsDryRunsAndUnitTestsKeepTheDirectRunner() {
    assertFalse(DefaultRunner.apply(options(), new String[0], List.of(API, LOCAL), "flink", 4));
    assertFalse(DefaultRunner.apply(options(), new String[0], List.of(), "flink", 4));
    assertFalse(DefaultRunner.apply(
        options("--dryRun=true"), new String[] {"--dryRun=true"}, List.of(API), "flink", 4));
    assertFalse(DefaultRunner.apply(options(), new String[0], List.of(API), "direct", 4));
    assertThrows(IllegalArgumentException.class,
        () -> DefaultRunner.apply(options(), new String[0], List.of(API), "spark", 4));
  }

  @Test
  void onlyFlinkInThisJvmCallsWithoutSpreadingTheChunksFirst() {
    PipelineOptions embedded = options();
    DefaultRunner.apply(embedded, new String[0], List.of(API), "flink", 2);
    assertTrue(TranslatePipeline.isFlinkEmbedded(embedded.as(TranslateOptions.class)));
    assertFalse(TranslatePipeline.isFlinkEmbedded(
        options("--runner=DirectRunner").as(TranslateOptions.class)));
    for (String master : new String[] {"10.0.0.5:8081", "[auto]"}) {
      assertFalse(TranslatePipeline.isFlinkEmbedded(
          options("--runner=FlinkRunner", "--flinkMaster=" + master).as(TranslateOptions.class)),
          master + ": the workers may be other JVMs");
    }
  }
}
