package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a finished run's output directory back, for assertions; from {@link JobTest}, also the
 * run's exit code and what it printed.
 */
final class RunOutputs {
  final Path dir;
  /** The command's exit code (0 for outputs read without a run). */
  final int exitCode;
  /** What the command printed to its stdout and stderr ("" for outputs read without a run). */
  final String stdout;
  final String stderr;

  RunOutputs(Path dir) {
    this(dir, 0, "", "");
  }

  RunOutputs(Path dir, int exitCode, String stdout, String stderr) {
    this.dir = dir;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Counter {@code name} of the report's {@code metrics} (as Beam names it, e.g. {@code
   * reward/scored}); 0 when absent, since a counter at 0 is left out of that object.
   */
  long counter(String name) {
    return report().path("metrics").path(name).asLong(0);
  }

  List<JsonNode> lines(String output) {
    List<JsonNode> nodes = new ArrayList<>();
    Path sub = dir.resolve(output);
    if (!Files.isDirectory(sub)) {
      return nodes;
    }
    try (Stream<Path> files = Files.list(sub)) {
      for (Path file : files.sorted().toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            nodes.add(RecordJson.parse(line));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return nodes;
  }

  /** A candidates/ row's translated record (the row holds it as JSON text). */
  static JsonNode record(JsonNode candidate) {
    try {
      return RecordJson.parse(candidate.get("record").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The records of one output folder as a set (the order of lines is the runner's business). */
  Set<JsonNode> recordSet(String output) {
    List<JsonNode> lines = lines(output);
    Set<JsonNode> set = new HashSet<>(lines);
    assertEquals(
        lines.size(), set.size(), "duplicate records in " + output);
    return set;
  }

  /** The report without what depends on the clock, the output folder or the runner's name. */
  JsonNode stableReport() {
    ObjectNode copy =
        (ObjectNode) report().deepCopy();
    copy.remove(List.of("wall_time_s", "output", "runner"));
    if (copy.get("savings") instanceof ObjectNode savings) {
      savings.remove("cache"); // the default cache lives under the output directory
    }
    return copy;
  }

  /**
   * {@link #stableReport} without where each backend's duplicates were counted: a duplicate whose
   * twin was answered before it was looked up is a cache hit, one whose twin was in flight a
   * dedupe copy, as timing has it. What stays: per backend their sums ({@code duplicates_saved},
   * {@code duplicate_tokens_saved}), and every other figure ({@code savings} holds the run's).
   */
  JsonNode stableReportWithoutSavingsSplit() {
    ObjectNode copy = (ObjectNode) stableReport();
    if (copy.get("backends") instanceof ObjectNode backends) {
      backends.fields().forEachRemaining(b -> {
        if (b.getValue() instanceof ObjectNode backend) {
          backend.put("duplicates_saved",
              backend.path("cache_hits").asLong() + backend.path("dedupe_copies").asLong());
          backend.put("duplicate_tokens_saved",
              backend.path("tokens_saved").asLong() + backend.path("dedupe_tokens_saved").asLong());
          backend.remove(RunnerMatrixTest.SAVINGS_SPLIT);
        }
      });
    }
    if (copy.get("metrics") instanceof ObjectNode metrics) {
      Pattern split = Pattern.compile(RunnerMatrixTest.BACKEND_SAVINGS_METRICS[0]);
      for (var names = metrics.fieldNames(); names.hasNext(); ) {
        if (split.matcher(names.next()).matches()) {
          names.remove();
        }
      }
    }
    return copy;
  }

  /**
   * Asserts two reports are equal, numbers that are not integers to a relative 1e-9: the
   * report's means are sums of doubles, and the order of a sum over bundles is the runner's, so
   * the last bit may differ between runners. Everything else must be equal exactly.
   */
  static void assertSameReport(JsonNode expected, JsonNode actual) {
    assertSameJson(expected, actual, "");
  }

  private static void assertSameJson(JsonNode expected, JsonNode actual, String at) {
    if (expected.isFloatingPointNumber() && actual != null && actual.isNumber()) {
      double e = expected.asDouble();
      double a = actual.asDouble();
      assertTrue(
          Math.abs(e - a) <= 1e-9 * Math.max(1.0, Math.abs(e)),
          "report" + at + ": expected " + e + " but was " + a);
      return;
    }
    if (expected.isContainerNode() && actual != null
        && expected.getNodeType() == actual.getNodeType() && expected.size() == actual.size()) {
      if (expected.isObject()) {
        Set<String> names = new TreeSet<>();
        expected.fieldNames().forEachRemaining(names::add);
        Set<String> actualNames = new TreeSet<>();
        actual.fieldNames().forEachRemaining(actualNames::add);
        assertEquals(names, actualNames, "report" + at);
        for (String name : names) {
          assertSameJson(expected.get(name), actual.get(name), at + "/" + name);
        }
      } else {
        for (int i = 0; i < expected.size(); i++) {
          assertSameJson(expected.get(i), actual.get(i), at + "/" + i);
        }
      }
      return;
    }
    assertEquals(expected, actual, "report" + at);
  }

  static JsonNode json(Path file) {
    try {
      return RecordJson.parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode report() {
    try {
      return RecordJson.parse(Files.readString(dir.resolve("report.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
