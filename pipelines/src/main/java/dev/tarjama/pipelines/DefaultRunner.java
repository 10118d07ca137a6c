package dev.tarjama.pipelines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The runner {@code tarjama translate} uses when the command line names none: Flink embedded
 * ({@code --runner=FlinkRunner --flinkMaster=[local]}) at one task slot per core, chosen by the
 * whole-run measurement (README, "Which runner translate uses"): it keeps a backend busier from
 * launch to exit than the DirectRunner, spills to disk instead of holding every grouping in
 * memory, and runs the same translation as a Flink cluster. The DirectRunner stays Beam's choice
 * for unit tests, which set the system property {@value #PROPERTY} to {@code direct}.
 */
final class DefaultRunner {
  /** {@code flink} (the default) or {@code direct}: what a command line without a runner gets. */
  static final String PROPERTY = "tarjama.defaultRunner";

  private DefaultRunner() {}

  /** {@code beamArgs} with the default runner's options added when they name no runner. */
  static String[] apply(String[] beamArgs) {
    return apply(beamArgs, System.getProperty(PROPERTY, "flink"),
        Runtime.getRuntime().availableProcessors());
  }

  static String[] apply(String[] beamArgs, String choice, int cores) {
    if (Arrays.stream(beamArgs).anyMatch(a -> a.startsWith("--runner="))) {
      return beamArgs;
    }
    switch (choice) {
      case "direct":
        return beamArgs;
      case "flink":
        List<String> args = new ArrayList<>(List.of(beamArgs));
        args.add("--runner=FlinkRunner");
        if (Arrays.stream(beamArgs).noneMatch(a -> a.startsWith("--flinkMaster="))) {
          args.add("--flinkMaster=[local]");
        }
        if (Arrays.stream(beamArgs).noneMatch(a -> a.startsWith("--parallelism="))) {
          args.add("--parallelism=" + Math.max(1, cores));
        }
        return args.toArray(String[]::new);
      default:
        throw new IllegalArgumentException(
            "-D" + PROPERTY + "=" + choice + " is not known; known: flink, direct");
    }
  }
}
