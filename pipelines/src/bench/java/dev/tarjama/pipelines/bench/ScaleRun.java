package dev.tarjama.pipelines.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tarjama.pipelines.Tarjama;
import dev.tarjama.models.testing.DataKit;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Cost growth: {@code tarjama translate} with default options over synthetic inputs of growing
 * size, against a fast loopback server ({@link CapacityServer} with 64 slots and no real hold),
 * so that what grows is the pipeline's own cost. The records are the data kit's (the {@link
 * WholeRun} files), copied round-robin, every text of copy {@code c} ending in {@code " (c)"}:
 * distinct records and chunks, so that dedupe and the cache do not shrink the work. Each size runs
 * in a JVM of its own started as a user starts it (default heap), its temporary folder (where
 * Flink spills) fresh; prints per size the wall time, the time per record, the JVM's peak
 * resident memory (VmHWM), the temporary folder's largest size and when the first request reached
 * the server (a first request that comes later as the input grows waits for the whole input). Floors (issue: cost growth):
 * time per record at the largest size within 1.25x of the smallest; peak RSS at 200k ≤ 6 GB.
 *
 * <pre>
 * mvn -q -pl pipelines -am test-compile -Dbench=ScaleRun -Dbench.args="10000 50000 200000"
 * </pre>
 */
public final class ScaleRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ScaleRun() {}

  public static void main(String[] args) throws Exception {
    Path shared = DataKit.root();
    List<JsonNode> seeds = seeds(shared);
    List<String> rows = new ArrayList<>();
    for (String arg : args.length == 0 ? new String[] {"10000", "50000"} : args) {
      int records = Integer.parseInt(arg);
      rows.add(run(seeds, records));
      System.out.println(rows.get(rows.size() - 1));
    }
    System.out.println(
        "SCALE (records, wall s, ms/record, peak RSS GB, peak tmp GB, first request after launch):");
    rows.forEach(r -> System.out.println("  " + r));
  }

  /** The data kit's records of the whole-run files, each a JSON object. */
  static List<JsonNode> seeds(Path shared) throws IOException {
    List<JsonNode> seeds = new ArrayList<>();
    for (String file : WholeRun.FILES) {
      Path path = shared.resolve("data").resolve(file);
      if (file.endsWith(".json")) {
        JSON.readTree(path.toFile()).forEach(seeds::add);
      } else {
        try (Stream<String> lines = Files.lines(path)) {
          lines.filter(l -> !l.isBlank()).forEach(l -> {
            try {
              seeds.add(JSON.readTree(l));
            } catch (IOException e) {
              // a line the data kit left broken on purpose: the copies skip it
            }
          });
        }
      }
    }
    return seeds;
  }

  static String run(List<JsonNode> seeds, int records) throws Exception {
    Path tmp = Files.createTempDirectory("tarjama-scale");
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path jvmTmp = Files.createDirectories(tmp.resolve("jvm-tmp"));
    try (BufferedWriter w = Files.newBufferedWriter(in.resolve("records.jsonl"),
        StandardCharsets.UTF_8)) {
      for (int i = 0; i < records; i++) {
        JsonNode copy = seeds.get(i % seeds.size()).deepCopy();
        mark(copy, " (" + (i / seeds.size()) + ")");
        w.write(JSON.writeValueAsString(copy));
        w.newLine();
      }
    }
    try (CapacityServer server = new CapacityServer(64, 1e12, 1e12)) {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Djava.io.tmpdir=" + jvmTmp, "-Dai.djl.offline=true", Tarjama.class.getName(),
          "translate", "--input=" + in.resolve("records.jsonl"), "--output=" + tmp.resolve("out"),
          "--progress-seconds=0",
          "--backend=name=bench,url=" + server.baseUrl() + ",model=capacity,prompt=hala"));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(tmp.resolve("run.log").toFile());
      builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
      long start = System.nanoTime();
      Process process = builder.start();
      long peakRss = 0;
      long peakTmp = 0;
      while (process.isAlive()) {
        peakRss = Math.max(peakRss, highWaterMark(process.pid()));
        peakTmp = Math.max(peakTmp, size(jvmTmp));
        Thread.sleep(500);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      if (process.exitValue() != 0) {
        throw new IllegalStateException(records + " records: translate exited "
            + process.exitValue() + ", see " + tmp.resolve("run.log"));
      }
      double firstRequest = server.requests() == 0 ? Double.NaN
          : (server.firstArrivalNanos() - start) / 1e9;
      return String.format(Locale.ROOT,
          "%d records: %.1f s, %.2f ms/record, %.2f GB RSS, %.2f GB tmp, first request %.1f s",
          records, wall, 1000 * wall / records, peakRss / 1e9, peakTmp / 1e9, firstRequest);
    }
  }

  /** Appends {@code suffix} to every text of a record but keys, roles and ids. */
  static void mark(JsonNode node, String suffix) {
    if (node instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String key = field.getKey();
        if (field.getValue().isTextual() && !key.equals("role") && !key.equals("from")
            && !key.equals("id") && !key.equals("source") && !key.equals("type")
            && !field.getValue().asText().isBlank()) {
          field.setValue(new TextNode(field.getValue().asText() + suffix));
        } else {
          mark(field.getValue(), suffix);
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(e -> mark(e, suffix));
    }
  }

  /** VmHWM of a process, in bytes (0 once it has gone). */
  static long highWaterMark(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended between two looks
    }
    return 0;
  }

  static long size(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // deleted while walking
        }
      }).sum();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
