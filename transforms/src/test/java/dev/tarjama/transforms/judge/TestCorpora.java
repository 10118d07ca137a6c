package dev.tarjama.transforms.judge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.JudgeAnswers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Small corpora cut from the data kit's real Tatoeba file, in the three layouts the judge reads,
 * with some pairs deliberately misaligned: their Arabic is another line's, which a right judge
 * rejects. Public: the pipelines tests use it through the test-jar.
 */
public final class TestCorpora {
  /** One pair of a corpus and whether its Arabic really translates its English. */
  public record Pair(String en, String ar, boolean aligned) {}

  private TestCorpora() {}

  /**
   * {@code count} consecutive Tatoeba pairs from 0-based line {@code from}; every pair whose index
   * is 3 mod 7 gets the Arabic of the pair 5 lines later (when that is not also a reference of
   * its English, as Tatoeba has several translations per sentence).
   */
  public static List<Pair> slice(int from, int count) throws IOException {
    List<String> lines = Files.readAllLines(DataKit.tatoeba(), StandardCharsets.UTF_8);
    Map<String, Set<String>> refs = JudgeAnswers.tatoebaReferences(DataKit.tatoeba());
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String[] cells = lines.get(from + i).split("\t", -1);
      String en = cells[0];
      String ar = cells[1];
      if (i % 7 == 3) {
        String other = lines.get(from + i + 5).split("\t", -1)[1];
        if (!refs.get(en).contains(other)) {
          pairs.add(new Pair(en, other, false));
          continue;
        }
      }
      pairs.add(new Pair(en, ar, true));
    }
    return pairs;
  }

  /** Tatoeba's own layout: English, Arabic, attribution. */
  public static Path writeTsv(Path file, List<Pair> pairs) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Pair p : pairs) {
      lines.add(p.en() + "\t" + p.ar() + "\tCC-BY 2.0 (France) Attribution: tatoeba.org");
    }
    return Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /** OPUS-100's HF layout: {"translation": {"ar": …, "en": …}}. */
  public static Path writeOpusJsonl(Path file, List<Pair> pairs) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (Pair p : pairs) {
      ObjectNode record = json.createObjectNode();
      record.putObject("translation").put("ar", p.ar()).put("en", p.en());
      lines.add(json.writeValueAsString(record));
    }
    return Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /** Moses layout: {@code stem.en} and {@code stem.ar}, one sentence a line. */
  public static void writeMoses(Path en, Path ar, List<Pair> pairs) throws IOException {
    Files.write(en, pairs.stream().map(Pair::en).toList(), StandardCharsets.UTF_8);
    Files.write(ar, pairs.stream().map(Pair::ar).toList(), StandardCharsets.UTF_8);
  }
}
