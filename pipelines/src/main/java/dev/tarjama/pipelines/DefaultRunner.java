package dev.tarjama.pipelines;

import dev.tarjama.transforms.backend.BackendSpec;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The runner {@code tarjama translate} uses when the command line names none. A run whose
 * backends are all API servers goes to Flink embedded ({@code --flinkMaster=[local]}, a task
 * slot per core), chosen by the whole-run measurement (README, "Which runner translate uses"): it
 * keeps the servers busier from launch to exit than the DirectRunner, and spills groupings to
 * disk where the DirectRunner holds them in memory. A run with an in-process model or a batch
 * backend, and a dry run, stay on the DirectRunner, where they were measured and tested: the
 * whole-run figure says nothing about them, and the demo's two in-process models took about twice
 * the memory on Flink embedded. Unit tests keep Beam's DirectRunner through the system property
 * {@value #PROPERTY}{@code =direct}.
 */
final class DefaultRunner {
  /** {@code flink} (the default) or {@code direct}: what a command line without a runner gets. */
  static final String PROPERTY = "tarjama.defaultRunner";

  private DefaultRunner() {}

  /** Sets Flink embedded on {@code options} when the rule above picks it; true when it did. */
  static boolean apply(PipelineOptions options, String[] beamArgs, List<BackendSpec> backends) {
    return apply(options, beamArgs, backends, System.getProperty(PROPERTY, "flink"),
        Runtime.getRuntime().availableProcessors());
  }

  static boolean apply(PipelineOptions options, String[] beamArgs, List<BackendSpec> backends,
      String choice, int cores) {
    if (!choice.equals("flink") && !choice.equals("direct")) {
      throw new IllegalArgumentException(
          "-D" + PROPERTY + "=" + choice + " is not known; known: flink, direct");
    }
    if (given(beamArgs, "--runner") || choice.equals("direct") || backends.isEmpty()
        || options.as(TranslateOptions.class).getDryRun()
        || backends.stream().anyMatch(b -> b.isLocal() || b.isBatch())) {
      return false;
    }
    options.setRunner(FlinkRunner.class);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (!given(beamArgs, "--flinkMaster")) {
      flink.setFlinkMaster("[local]");
    }
    if (!given(beamArgs, "--parallelism")) {
      flink.setParallelism(Math.max(1, cores));
    }
    return true;
  }

  private static boolean given(String[] beamArgs, String option) {
    return Arrays.stream(beamArgs).anyMatch(a -> a.equals(option) || a.startsWith(option + "="));
  }
}
