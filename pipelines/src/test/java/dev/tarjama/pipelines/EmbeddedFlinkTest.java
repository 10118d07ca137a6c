package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.backend.BackendMetrics;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.Test;

class EmbeddedFlinkTest {
  private static FlinkPipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(FlinkPipelineOptions.class);
  }

  @Test
  void onlyBatchJobsOnFlinkEmbeddedGetAnEarlyCluster() {
    String[][] others = {
      {"--runner=DirectRunner"},
      {"--runner=FlinkRunner", "--flinkMaster=[auto]"},
      {"--runner=FlinkRunner", "--flinkMaster=localhost:8081"},
      {"--runner=FlinkRunner", "--flinkMaster=[local]", "--streaming=true"},
    };
    for (String[] args : others) {
      try (EmbeddedFlink flink = EmbeddedFlink.startIfLocal(options(args))) {
        assertFalse(flink.started(), String.join(" ", args));
      }
    }
  }

  @Test
  void theClusterIsWhatFlinksLocalExecutorWouldStart() {
    Configuration configuration = EmbeddedFlink.configuration(null);
    assertEquals(EmbeddedFlink.TARGET, configuration.getString("execution.target", null));
    assertTrue(configuration.getBoolean("execution.attached", false));
    assertTrue(configuration.containsKey(TaskManagerOptions.MANAGED_MEMORY_SIZE.key()),
        "managed memory is set from the free heap, as Beam's [local] sets it");
    MiniClusterConfiguration cluster = EmbeddedFlink.clusterConfiguration(configuration, 3);
    assertEquals(3, cluster.getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS));
    assertEquals(1, cluster.getNumTaskManagers());
    assertEquals("0", cluster.getConfiguration().get(RestOptions.BIND_PORT));
  }

  static final class CountEach extends DoFn<Integer, Integer> {
    private final Counter seen = Metrics.counter(BackendMetrics.NAMESPACE, "seen");

    @ProcessElement
    public void process(@Element Integer n, OutputReceiver<Integer> out) {
      seen.inc();
      out.output(n * n);
    }
  }

  @Test
  void aJobRunsOnTheEarlyClusterWithItsAssertionsAndCounters() {
    FlinkPipelineOptions options = options("--runner=FlinkRunner", "--flinkMaster=[local]");
    try (EmbeddedFlink flink = EmbeddedFlink.startIfLocal(options)) {
      assertTrue(flink.started());
      assertEquals(Runtime.getRuntime().availableProcessors(), options.getParallelism(),
          "a slot per core without --parallelism, as under [local]");
      Pipeline pipeline = Pipeline.create(options);
      PCollection<Integer> squares = pipeline
          .apply(Create.of(List.of(1, 2, 3, 4)))
          .apply(ParDo.of(new CountEach()));
      PAssert.that(squares).containsInAnyOrder(1, 4, 9, 16);
      PAssert.thatSingleton(squares.apply(Sum.integersGlobally())).isEqualTo(30);
      PipelineResult result = flink.run(pipeline);
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
      assertEquals(4L, dev.tarjama.transforms.testing.PipelineMetrics.counter(result, "seen"));
      assertEquals("[local]", options.getFlinkMaster(), "the user's master is given back");
      assertEquals(FlinkRunner.class, options.getRunner());
    }
  }
}
