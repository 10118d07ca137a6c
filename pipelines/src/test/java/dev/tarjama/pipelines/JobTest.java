package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.transforms.io.RecordJson;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One tarjama command as a job under test, in the spirit of scio's {@code JobTest}: the command,
 * its inputs, its arguments (which name the loopback servers it needs), the outputs that must be
 * the same on every runner, and assertions on one run's outputs and counters. {@link
 * RunnerMatrixTest} runs each scenario on every runner and compares the other runners' outputs
 * with the DirectRunner's.
 *
 * <pre>{@code
 * JobTest.command("judge", "judge: a TSV corpus")
 *     .inputs(in -> TestCorpora.writeTsv(in.resolve("pairs.tsv"), pairs))
 *     .args(run -> List.of("--input=" + run.input().resolve("pairs.tsv"),
 *         "--output=" + run.output(), run.servers().judgeBackend()))
 *     .sameOnEveryRunner("accepted", "rejected", "undecided", "dead_letter")
 *     .sameJson("report.json", "/wall_time_s", "/output", "/runner")
 *     .expect(out -> assertTrue(out.report().at("/counts/accepted").asLong() > 0));
 * }</pre>
 *
 * <p>The same builder runs a command once, outside the matrix, for the command tests: {@link
 * #line} (a command line as given) or {@link #command} with {@link #in}, {@link #out} and {@link
 * #servers} to name the run's folders and servers, then {@link #runOnce()}. It asserts the exit
 * code ({@link #exits}, 0 unless told otherwise; {@link #anyExit} leaves it to the test), runs the
 * expectations, and returns the {@link RunOutputs} with the exit code, stdout and stderr. An
 * exception out of the command (a test hook that kills the run mid-way) goes to the caller.
 *
 * <pre>{@code
 * RunOutputs out = JobTest.command("translate", "resume after a kill")
 *     .in(tmp.resolve("in")).out(tmp.resolve("out")).servers(MatrixServers.shared())
 *     .args(run -> run.translate("--input=" + run.input() + "/*", "--resume"))
 *     .exits(0)
 *     .runOnce();
 * }</pre>
 *
 * <p>What is compared: each folder of {@link #sameOnEveryRunner} as its lines sorted (every
 * runner shards and orders lines its own way; a line lost or doubled fails); each file of {@link
 * #sameJson} as JSON without the JSON Pointers given, numbers that are not integers to a relative
 * 1e-9 (a sum over bundles is summed in the runner's order); each file of {@link #sameText} byte
 * for byte.
 */
final class JobTest {
  /** The data kit's Qwen3 tokenizer, which the command tests chunk with. */
  static final String QWEN3 = DataKit.tokenizer("qwen3").resolve("tokenizer.json").toString();

  /** What one run of a scenario is given: its input folder, its own output folder, the servers. */
  record Run(Path input, Path output, MatrixServers servers) {
    /**
     * {@code translate} with this run's {@code --output}, the Qwen3 tokenizer and the two loopback
     * translators ({@link MatrixServers#chatBackend()}, {@link MatrixServers#completionsBackend()}),
     * then {@code extra}: the line most translate tests run.
     */
    List<String> translate(String... extra) {
      List<String> line = new ArrayList<>(List.of("--output=" + output, "--tokenizer=" + QWEN3));
      line.addAll(translators());
      line.addAll(List.of(extra));
      return line;
    }

    /** The two loopback translators' {@code --backend} options: a chat and a completions one. */
    List<String> translators() {
      return List.of(servers.chatBackend(), servers.completionsBackend());
    }
  }

  /** Copies the first {@code records} records of a data-kit file (JSON Lines or a JSON array). */
  static int copyHead(Path dir, String file, int records) throws Exception {
    Path source = DataKit.data(file);
    // gsm8k and math500 are both test.jsonl: one folder per data-kit folder keeps them apart.
    Path target = Files.createDirectories(dir.resolve(source.getParent().getFileName()))
        .resolve(source.getFileName());
    String text = Files.readString(source);
    if (text.stripLeading().startsWith("[")) {
      JsonNode array = RecordJson.parse(text);
      var head = RecordJson.MAPPER.createArrayNode();
      for (int i = 0; i < Math.min(records, array.size()); i++) {
        head.add(array.get(i));
      }
      Files.writeString(target, head.toPrettyString());
      return head.size();
    }
    List<String> lines = Files.readAllLines(source).stream().filter(l -> !l.isBlank()).toList();
    List<String> kept = lines.subList(0, Math.min(records, lines.size()));
    Files.write(target, kept);
    return kept.size();
  }

  /** Writes a scenario's input files into its (empty) input folder, once for all runners. */
  @FunctionalInterface
  interface Inputs {
    void write(Path inputDir) throws Exception;
  }

  /**
   * How a command line is run: {@link Tarjama#run} unless a test needs a seam the command line
   * has not (a command's entry point with its model folder given, say).
   */
  @FunctionalInterface
  interface Invocation {
    int run(String[] commandLine, PrintStream out, PrintStream err) throws Exception;
  }

  /** Assertions on one run's outputs. */
  @FunctionalInterface
  interface Expectation {
    void check(RunOutputs outputs) throws Exception;
  }

  private record JsonFile(String path, List<String> ignored) {}

  final String command;
  final String name;
  private Inputs inputs = dir -> {};
  private Function<Run, List<String>> args = run -> List.of();
  private final List<String> folders = new ArrayList<>();
  private final List<JsonFile> jsonFiles = new ArrayList<>();
  private final List<String> textFiles = new ArrayList<>();
  private final List<java.util.regex.Pattern> varyingMetrics = new ArrayList<>();
  private final List<String> htmlFiles = new ArrayList<>();
  private final List<Expectation> expectations = new ArrayList<>();
  private boolean cached;
  private Path inputDir;
  private Path outputDir;
  private MatrixServers servers;
  private Integer exitCode = 0;
  private PrintStream stdout = System.out;
  private PrintStream stderr = System.err;
  private Invocation invocation = Tarjama::run;

  private JobTest(String command, String name) {
    this.command = command;
    this.name = name;
  }

  /**
   * A run of {@code commandLine} as given, its first word the command, outside the matrix; the
   * output folder is its {@code --output} (or {@link #out}).
   */
  static JobTest line(String... commandLine) {
    return line(List.of(commandLine));
  }

  /** As {@link #line(String...)}. */
  static JobTest line(List<String> commandLine) {
    List<String> rest = List.copyOf(commandLine.subList(1, commandLine.size()));
    return command(commandLine.get(0), String.join(" ", commandLine)).args(run -> rest);
  }

  /**
   * {@code translate --input=INPUT} into {@code output} with the Qwen3 tokenizer and the two
   * loopback translators of {@link MatrixServers#shared()}, then {@code extra} ({@link
   * Run#translate}).
   */
  static JobTest translate(String input, Path output, String... extra) {
    return command("translate", "translate " + input).out(output).servers(MatrixServers.shared())
        .args(run -> {
          List<String> line = new ArrayList<>(List.of("--input=" + input));
          line.addAll(run.translate(extra));
          return line;
        });
  }

  /** The input folder of a {@link #runOnce()} ({@code run.input()}): {@link #inputs} go there. */
  JobTest in(Path dir) {
    this.inputDir = Objects.requireNonNull(dir);
    return this;
  }

  /** The output folder of a {@link #runOnce()}: {@code run.output()}, read back as its outputs. */
  JobTest out(Path dir) {
    this.outputDir = Objects.requireNonNull(dir);
    return this;
  }

  /** The servers a {@link #runOnce()}'s arguments name ({@code run.servers()}). */
  JobTest servers(MatrixServers servers) {
    this.servers = Objects.requireNonNull(servers);
    return this;
  }

  /** The exit code a {@link #runOnce()} must end with (0 unless told otherwise). */
  JobTest exits(int code) {
    this.exitCode = code;
    return this;
  }

  /** Any exit code will do: the test reads {@link RunOutputs#exitCode} itself. */
  JobTest anyExit() {
    this.exitCode = null;
    return this;
  }

  /**
   * Where the command prints (System.out and System.err unless told otherwise); what it prints is
   * captured for {@link RunOutputs} all the same.
   */
  JobTest printTo(PrintStream out, PrintStream err) {
    this.stdout = Objects.requireNonNull(out);
    this.stderr = Objects.requireNonNull(err);
    return this;
  }

  /** Runs the command line with {@code invocation} instead of {@link Tarjama#run}. */
  JobTest invokedBy(Invocation invocation) {
    this.invocation = Objects.requireNonNull(invocation);
    return this;
  }

  /**
   * Runs the command once: writes {@link #inputs} into {@link #in} (when set), runs it with the
   * arguments built for this run, asserts the exit code and the expectations, and returns its
   * outputs. The output folder is {@link #out}, else the line's {@code --output=}.
   */
  RunOutputs runOnce() throws Exception {
    if (inputDir != null) {
      writeInputs(inputDir);
    }
    Run run = new Run(inputDir, outputDir, servers);
    List<String> line = new ArrayList<>();
    line.add(command);
    line.addAll(args.apply(run));
    Path output = outputDir;
    for (String arg : line) {
      if (output == null && arg.startsWith("--output=")) {
        output = Path.of(arg.substring("--output=".length()));
      }
    }
    return execute(line, output, exitCode);
  }

  /** A scenario that runs {@code tarjama COMMAND}; {@code name} shows in the test report. */
  static JobTest command(String command, String name) {
    return new JobTest(command, name);
  }

  JobTest inputs(Inputs inputs) {
    this.inputs = Objects.requireNonNull(inputs);
    return this;
  }

  /** The command's arguments after its name, built per run (its output folder differs). */
  JobTest args(Function<Run, List<String>> args) {
    this.args = Objects.requireNonNull(args);
    return this;
  }

  /**
   * The command keeps a translation cache ({@code --cache}): on a remote cluster the runner gives
   * it a shared one (Redis), since the default embedded store lives on one host.
   */
  JobTest cached() {
    this.cached = true;
    return this;
  }

  JobTest sameOnEveryRunner(String... outputFolders) {
    folders.addAll(List.of(outputFolders));
    return this;
  }

  JobTest sameJson(String file, String... ignoredPointers) {
    jsonFiles.add(new JsonFile(file, List.of(ignoredPointers)));
    return this;
  }

  /**
   * An HTML report ({@code report.html}) equal on every runner once the parts marked as varying
   * (times, runner, output path, the launcher's timeline, provenance) are left out.
   */
  JobTest sameHtml(String... files) {
    htmlFiles.addAll(List.of(files));
    return this;
  }

  /**
   * Counters of the report's {@code metrics} object that timing decides, by name (regular
   * expressions): left out of every {@link #sameJson} comparison. A counter at 0 is absent from
   * that object, so unlike a pointer such a name need not be there.
   */
  JobTest metricsVary(String... names) {
    for (String n : names) {
      varyingMetrics.add(java.util.regex.Pattern.compile(n));
    }
    return this;
  }

  JobTest sameText(String... files) {
    textFiles.addAll(List.of(files));
    return this;
  }

  /** Assertions on every runner's outputs (several calls add up). */
  JobTest expect(Expectation expectation) {
    expectations.add(Objects.requireNonNull(expectation));
    return this;
  }

  boolean isCached() {
    return cached;
  }

  void writeInputs(Path dir) throws Exception {
    Files.createDirectories(dir);
    inputs.write(dir);
  }

  /**
   * Runs the command with the runner's options added, asserts exit 0 and the expectations, and
   * returns its outputs.
   */
  RunOutputs run(Run run, List<String> runnerOptions) throws Exception {
    List<String> line = new ArrayList<>();
    line.add(command);
    line.addAll(args.apply(run));
    line.addAll(runnerOptions);
    return execute(line, run.output(), 0);
  }

  /**
   * Runs {@code line}, printing to {@link #printTo}'s streams and capturing both; asserts the
   * exit code, then the expectations on the outputs in {@code output}.
   */
  private RunOutputs execute(List<String> line, Path output, Integer exitCode) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream outTee = tee(out, stdout); PrintStream errTee = tee(err, stderr)) {
      code = invocation.run(line.toArray(String[]::new), outTee, errTee);
    }
    String errors = err.toString(StandardCharsets.UTF_8);
    if (exitCode != null) {
      assertEquals(exitCode.intValue(), code, name + " exited " + code + ": " + errors);
    }
    RunOutputs outputs =
        new RunOutputs(output, code, out.toString(StandardCharsets.UTF_8), errors);
    for (Expectation e : expectations) {
      e.check(outputs);
    }
    return outputs;
  }

  /** A stream that writes to {@code copy} and to {@code target} (which it leaves open). */
  private static PrintStream tee(ByteArrayOutputStream copy, PrintStream target) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        copy.write(b);
        target.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        copy.write(b, off, len);
        target.write(b, off, len);
      }

      @Override
      public void flush() {
        target.flush();
      }
    }, true, StandardCharsets.UTF_8);
  }

  /** Asserts that {@code other}'s outputs are the DirectRunner's {@code direct} ones. */
  void assertSameOutputs(RunOutputs direct, RunOutputs other) throws Exception {
    for (String folder : folders) {
      assertEquals(sortedLines(direct.dir.resolve(folder)), sortedLines(other.dir.resolve(folder)),
          name + ": " + folder + "/ differs from the DirectRunner's");
    }
    for (JsonFile file : jsonFiles) {
      RunOutputs.assertSameReport(
          withoutPointers(direct.dir.resolve(file.path()), file.ignored()),
          withoutPointers(other.dir.resolve(file.path()), file.ignored()));
    }
    for (String file : htmlFiles) {
      assertEquals(
          dev.tarjama.transforms.report.ReportHtml.stable(Files.readString(direct.dir.resolve(file))),
          dev.tarjama.transforms.report.ReportHtml.stable(Files.readString(other.dir.resolve(file))),
          name + ": " + file + " differs from the DirectRunner's (outside its varying parts)");
    }
    for (String file : textFiles) {
      assertEquals(Files.readString(direct.dir.resolve(file)), Files.readString(other.dir.resolve(file)),
          name + ": " + file + " differs from the DirectRunner's");
    }
  }

  /** Every non-blank line of every file of a folder, sorted; a missing folder fails. */
  static List<String> sortedLines(Path folder) throws Exception {
    assertTrue(Files.isDirectory(folder), "no output folder " + folder);
    List<String> lines = new ArrayList<>();
    try (var files = Files.list(folder)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            lines.add(line);
          }
        }
      }
    }
    lines.sort(null);
    return lines;
  }

  private JsonNode withoutPointers(Path file, List<String> pointers) throws Exception {
    JsonNode root = RecordJson.parse(Files.readString(file));
    if (root.get("metrics") instanceof ObjectNode metrics) {
      List<String> names = new ArrayList<>();
      metrics.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        if (varyingMetrics.stream().anyMatch(p -> p.matcher(n).matches())) {
          metrics.remove(n);
        }
      }
    }
    for (String pointer : pointers) {
      int slash = pointer.lastIndexOf('/');
      JsonNode parent = slash <= 0 ? root : root.at(pointer.substring(0, slash));
      String field = pointer.substring(slash + 1);
      // An exclusion that no longer names a field would hide nothing and rot: it must exist.
      assertTrue(parent instanceof ObjectNode && parent.has(field), file + " has no " + pointer);
      ((ObjectNode) parent).remove(field);
    }
    return root;
  }

  @Override
  public String toString() {
    return name;
  }
}
