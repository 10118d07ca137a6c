package dev.tarjama.pipelines;

import dev.tarjama.transforms.backend.BackendSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * What cannot work when a command's workers run on other hosts than the launcher (a Flink cluster
 * given as {@code --flinkMaster=HOST:PORT}, or Dataflow), checked before any pipeline starts:
 *
 * <ul>
 *   <li>a local {@code --output}: each worker would write its part on its own disk, and the
 *       launcher reads the run's summary (and writes the report) from the output on its own.
 *       Dataflow needs a {@code gs://} output; a Flink cluster a {@code gs://} output or a path
 *       every host mounts, which the user asserts with {@code --sharedOutput};
 *   <li>an SQLite translation cache (the default under a local output, or {@code sqlite:PATH}):
 *       one file per host, so workers pay again what another host has stored, and SQLite over a
 *       network file system is unsafe. A Redis every worker reaches is the cluster's cache;
 *   <li>on Dataflow, an API key from {@code key-env}: the worker reads the variable in its own
 *       environment, which Dataflow does not copy from the launcher ({@code key-secret} reads a
 *       Secret Manager secret on the worker instead).
 * </ul>
 *
 * {@code [local]} and {@code [collection]} run the job in the launcher's JVM, and so does {@code
 * [auto]} when tarjama is started as documented ({@code java -jar}); under Flink's own {@code
 * flink run} client {@code [auto]} means that client's cluster, which is not checked here.
 */
final class ClusterChecks {
  private static final Set<String> IN_PROCESS_MASTERS = Set.of("[local]", "[auto]", "[collection]");

  /** The options of every command that writes an {@code --output} on a runner. */
  public interface ClusterOptions extends PipelineOptions {
    @Description("On a remote Flink cluster: --output is a path every worker host and the "
        + "launcher share (a network file system); without it a local --output is refused there")
    @Default.Boolean(false)
    boolean getSharedOutput();

    void setSharedOutput(boolean value);
  }

  private ClusterChecks() {}

  /** The runner and master when the workers run elsewhere, e.g. "Flink cluster 10.0.0.5:8081". */
  static Optional<String> remoteWorkers(PipelineOptions options) {
    Class<?> runner = options.getRunner();
    if (DataflowRunner.class.isAssignableFrom(runner)) {
      return Optional.of("Dataflow");
    }
    if (FlinkRunner.class.isAssignableFrom(runner)) {
      String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
      if (master != null && !master.isBlank() && !IN_PROCESS_MASTERS.contains(master.strip())) {
        return Optional.of("a Flink cluster (--flinkMaster=" + master.strip() + ")");
      }
    }
    return Optional.empty();
  }

  /**
   * One line saying why the command cannot run as given, or empty.
   *
   * @param output {@code --output}
   * @param cacheUri the cache the command would use ({@code sqlite:…}, {@code redis://…},
   *     {@code none}); null for a command without a cache
   */
  static Optional<String> problem(PipelineOptions options, String output, String cacheUri) {
    Optional<String> remote = remoteWorkers(options);
    if (remote.isEmpty()) {
      return Optional.empty();
    }
    boolean localOutput = output != null && isLocal(output);
    boolean dataflow = remote.get().equals("Dataflow");
    if (localOutput && (dataflow || !options.as(ClusterOptions.class).getSharedOutput())) {
      return Optional.of("--output=" + output + " is a local path, but on " + remote.get()
          + " the workers write it on their own disks while this launcher reads the run's "
          + "summary from its own: give a gs:// output"
          + (dataflow ? "" : ", or a path every host mounts and --sharedOutput"));
    }
    if (cacheUri != null && cacheUri.startsWith("sqlite:")) {
      return Optional.of("the translation cache " + cacheUri + " is one SQLite file per host on "
          + remote.get() + " (and SQLite over a network file system is unsafe): give "
          + "--cache=redis://HOST:PORT, a Redis every worker reaches (or --cache=none)");
    }
    return Optional.empty();
  }

  /** One line naming the first backend whose key a Dataflow worker cannot read, or empty. */
  static Optional<String> keyProblem(PipelineOptions options, List<BackendSpec> backends) {
    if (!DataflowRunner.class.isAssignableFrom(options.getRunner())) {
      return Optional.empty();
    }
    for (BackendSpec backend : backends) {
      if (!backend.isLocal() && !backend.config().apiKeyEnv().isEmpty()) {
        return Optional.of("backend " + backend.name() + ": key-env="
            + backend.config().apiKeyEnv() + " is read from each worker's environment, which "
            + "Dataflow workers do not inherit from this launcher: store the key in Secret "
            + "Manager and give key-secret=projects/P/secrets/S/versions/V");
      }
    }
    return Optional.empty();
  }

  /** No scheme, or {@code file:}: a path on the launcher's own file system. */
  static boolean isLocal(String path) {
    return path.startsWith("file:") || !path.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*");
  }
}
