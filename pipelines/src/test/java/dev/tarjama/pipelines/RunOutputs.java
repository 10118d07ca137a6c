package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads a finished run's output directory back, for assertions. */
final class RunOutputs {
  final Path dir;

  RunOutputs(Path dir) {
    this.dir = dir;
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
  java.util.Set<JsonNode> recordSet(String output) {
    List<JsonNode> lines = lines(output);
    java.util.Set<JsonNode> set = new java.util.HashSet<>(lines);
    org.junit.jupiter.api.Assertions.assertEquals(
        lines.size(), set.size(), "duplicate records in " + output);
    return set;
  }

  /** The report without what depends on the clock, the output folder or the runner's name. */
  JsonNode stableReport() {
    com.fasterxml.jackson.databind.node.ObjectNode copy =
        (com.fasterxml.jackson.databind.node.ObjectNode) report().deepCopy();
    copy.remove(List.of("wall_time_s", "output", "runner"));
    if (copy.get("savings") instanceof com.fasterxml.jackson.databind.node.ObjectNode savings) {
      savings.remove("cache"); // the default cache lives under the output directory
    }
    return copy;
  }

  JsonNode report() {
    try {
      return RecordJson.parse(Files.readString(dir.resolve("report.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
