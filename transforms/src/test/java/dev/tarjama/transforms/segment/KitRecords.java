package dev.tarjama.transforms.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The real files of the shared data kit, parsed with Jackson (JSON arrays or JSON Lines). */
final class KitRecords {
  static final ObjectMapper JSON = new ObjectMapper();

  private KitRecords() {}

  /** The records of a file: a JSON array's elements, or one record per non-empty line. */
  static List<JsonNode> records(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      List<JsonNode> out = new ArrayList<>();
      if (text.stripLeading().startsWith("[")) {
        JSON.readTree(text).forEach(out::add);
      } else {
        for (String line : text.split("\n")) {
          if (!line.isBlank()) {
            out.add(JSON.readTree(line));
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every string value anywhere in the record (message contents, values, question, answer…). */
  static void strings(JsonNode node, Consumer<String> sink) {
    if (node.isTextual()) {
      sink.accept(node.textValue());
    } else if (node.isContainerNode()) {
      node.forEach(child -> strings(child, sink));
    }
  }

  static List<String> strings(Path file) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : records(file)) {
      strings(r, out::add);
    }
    return out;
  }

  /** The files the round-trip test covers. */
  static List<Path> roundTripFiles() {
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(DataKit.data("instruct/smoltalk2_style"))) {
      s.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (var s = Files.list(DataKit.data("instruct/llamafactory"))) {
      s.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".jsonl"))
          .sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.add(DataKit.dataFile("instruct/gsm8k/test.jsonl"));
    files.add(DataKit.dataFile("eval/math500/test.jsonl"));
    try (var s = Files.list(DataKit.data("instruct/bfcl"))) {
      s.filter(p -> p.getFileName().toString().matches("BFCL_v4_.*\\.json")).sorted()
          .forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
