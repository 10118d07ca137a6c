package dev.tarjama.pipelines.bench;

import dev.tarjama.pipelines.Tarjama;
import dev.tarjama.transforms.report.LiveCounts;
import dev.tarjama.models.testing.DataKit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole run is the figure: {@code tarjama translate} as a user runs it (default options but
 * the backend's address), from the call to its return, against a {@link CapacityServer} of 16
 * slots (prompt_tokens / 20,000 + completion_tokens / 400 s per request, tokens = characters /
 * 4), over the data kit's smoltalk2_style, gsm8k and llamafactory files together. Prints, for the
 * runner given:
 *
 * <ul>
 *   <li>utilization = busy slot-seconds ÷ (16 × wall time) (floor 0.90 for the default command);
 *   <li>the time from the first record read (the live count) to the first request (floor 10 s);
 *   <li>the tail: from the last answer to the command's return, as a share of the run (floor 5%).
 * </ul>
 *
 * One runner per JVM, so that each run starts as cold as a user's. Run from the repository root:
 *
 * <pre>
 * mvn -q -pl pipelines -am test-compile -Dbench=WholeRun \
 *   -Dbench.args="[default|direct|flink1|flink2] [more `tarjama translate` options…]"
 * </pre>
 *
 * {@code default} passes no {@code --runner}; {@code direct} the DirectRunner; {@code flinkN}
 * Flink embedded ({@code [local]}) at parallelism N.
 */
public final class WholeRun {
  static final String[] FILES = {
    "instruct/smoltalk2_style/think_tools.jsonl",
    "instruct/smoltalk2_style/gsm8k_think.jsonl",
    "instruct/gsm8k/test.jsonl",
    "instruct/llamafactory/alpaca_en_demo.json",
    "instruct/llamafactory/dpo_en_demo.json",
    "instruct/llamafactory/reason_tool_use_demo_50.jsonl",
  };

  private WholeRun() {}

  /** The command's output, each line with the seconds since launch at which it was printed. */
  static final class TimedLines extends java.io.OutputStream {
    private final long launch;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder timed = new StringBuilder();

    TimedLines(long launch) {
      this.launch = launch;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        timed.append(String.format(Locale.ROOT, "  [%6.1f s] %s%n",
            (System.nanoTime() - launch) / 1e9, line.toString(StandardCharsets.UTF_8)));
        line.reset();
      } else {
        line.write(b);
      }
    }

    synchronized String timed() {
      return timed.toString();
    }
  }

  public static void main(String[] args) throws Exception {
    long launch = System.nanoTime();
    String runner = args.length > 0 ? args[0] : "default";
    List<String> extra = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
    Path shared = DataKit.root();
    Path tmp = Files.createTempDirectory("tarjama-wholerun");
    Path in = Files.createDirectories(tmp.resolve("in"));
    for (String file : FILES) {
      Path source = shared.resolve("data").resolve(file);
      Path dir = Files.createDirectories(in.resolve(source.getParent().getFileName()));
      Files.copy(source, dir.resolve(source.getFileName()));
    }
    List<String> command = new ArrayList<>(List.of("translate", "--input=" + in + "/*/*",
        "--output=" + tmp.resolve("out"), "--progress-seconds=0"));
    switch (runner) {
      case "default", "jar" -> { }
      case "direct" -> command.add("--runner=DirectRunner");
      default -> {
        if (!runner.startsWith("flink")) {
          throw new IllegalArgumentException("runner: default, jar, direct or flinkN, not " + runner);
        }
        command.add("--runner=FlinkRunner");
        command.add("--flinkMaster=[local]");
        command.add("--parallelism=" + Integer.parseInt(runner.substring("flink".length())));
      }
    }
    // -Dwholerun.speedup=N: a server N times faster, for quick side-by-side looks at the start
    // and the tail (which do not depend on it); the figure is the speed-up 1 run's.
    double speedup = Double.parseDouble(System.getProperty("wholerun.speedup", "1"));
    try (CapacityServer server = new CapacityServer(16, 20_000 * speedup, 400 * speedup)) {
      command.add("--backend=name=bench,url=" + server.baseUrl() + ",model=capacity,prompt=hala");
      command.addAll(extra);
      System.out.println("tarjama " + String.join(" ", command).replace(tmp.toString(), "TMP"));
      AtomicLong firstRead = new AtomicLong();
      Thread watch = new Thread(() -> {
        try {
          while (LiveCounts.get(LiveCounts.RECORDS_READ) == 0) {
            Thread.sleep(5);
          }
          firstRead.set(System.nanoTime());
        } catch (InterruptedException e) {
          // the run ended first
        }
      });
      watch.setDaemon(true);
      watch.start();
      // A timeline every 10 s, so that a run stopped early still shows where its time went.
      Thread timeline = new Thread(() -> {
        try {
          while (true) {
            Thread.sleep(10_000);
            System.out.printf(Locale.ROOT,
                "  t=%5.0f s: %d records read, %d chunks, %d chunks translated, %d requests,"
                    + " %.0f busy slot-s%n",
                (System.nanoTime() - launch) / 1e9, LiveCounts.get(LiveCounts.RECORDS_READ),
                LiveCounts.get(LiveCounts.CHUNKS), LiveCounts.get(LiveCounts.CHUNKS_TRANSLATED),
                server.requests(), server.busySlotSeconds());
          }
        } catch (InterruptedException e) {
          // the run ended
        }
      });
      timeline.setDaemon(true);
      timeline.start();
      int code;
      TimedLines out;
      long started;
      if (runner.equals("jar")) {
        // As a user runs it: its own JVM, the one shaded jar, the JVM's default heap. The clock
        // starts when the process is spawned, so the JVM's start is in the figure.
        started = System.nanoTime();
        out = new TimedLines(started);
        code = runJar(command, out);
      } else {
        started = launch;
        out = new TimedLines(launch);
        code = Tarjama.run(command.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
      }
      long end = System.nanoTime();
      watch.interrupt();
      timeline.interrupt();
      if (code != 0) {
        System.out.print(out.timed());
        throw new IllegalStateException("translate exited " + code);
      }
      // Where the tail goes: the command's own lines, each with the time it was printed.
      System.out.print(out.timed());
      double wall = (end - started) / 1e9;
      double busy = server.busySlotSeconds();
      double utilization = busy / (server.slots() * wall);
      // In jar mode the live counts are in the child's JVM: the first read is not seen here.
      double toFirstRead = firstRead.get() == 0 ? Double.NaN : (firstRead.get() - started) / 1e9;
      double readToRequest = firstRead.get() == 0 ? Double.NaN
          : (server.firstArrivalNanos() - firstRead.get()) / 1e9;
      double toFirstRequest = (server.firstArrivalNanos() - started) / 1e9;
      double tail = (end - server.lastAnswerNanos()) / 1e9;
      System.out.printf(Locale.ROOT,
          "runner %s: %d requests, %.1f busy slot-s in %.1f s wall (%d cores)%n"
              + "  first record read %.1f s after launch, first request %.1f s after it (floor 10),"
              + " %.1f s after launch%n"
              + "  last answer %.1f s before exit: tail %.1f%% of the run (floor 5%%)%n"
              + "UTILIZATION %s: %.3f (floor 0.90 for the default command)%n",
          runner, server.requests(), busy, wall, Runtime.getRuntime().availableProcessors(),
          toFirstRead, readToRequest, toFirstRequest, tail, 100 * tail / wall, runner, utilization);
    }
  }

  /** Runs {@code java -jar pipelines/target/tarjama.jar COMMAND…}; its output lines timed. */
  static int runJar(List<String> command, TimedLines out) throws Exception {
    // -Dwholerun.jar=PATH: another build of the jar, to compare two builds side by side.
    Path jar = Path.of(System.getProperty("wholerun.jar", "pipelines/target/tarjama.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it first (mvn -B -q -DskipTests package)");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> line = new ArrayList<>(List.of(java));
    // -Dwholerun.jarJvm="-XX:…;-XX:…": JVM options for the command's own JVM, to profile it.
    String jvm = System.getProperty("wholerun.jarJvm", "").strip();
    if (!jvm.isEmpty()) {
      line.addAll(List.of(jvm.split("[;\\s]+")));
    }
    line.addAll(List.of("-jar", jar.toString()));
    line.addAll(command);
    Process process = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    process.getInputStream().transferTo(out);
    return process.waitFor();
  }
}
