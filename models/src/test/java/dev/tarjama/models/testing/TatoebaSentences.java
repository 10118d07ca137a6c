package dev.tarjama.models.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/** Real English sentences for tests that need text to send: the English side of {@link DataKit#tatoeba()}. */
public final class TatoebaSentences {
  private TatoebaSentences() {}

  /**
   * The first {@code count} English sentences longer than {@code minLength} characters, in file
   * order.
   *
   * @throws IllegalStateException when the kit has fewer
   */
  public static List<String> english(int minLength, int count) throws IOException {
    List<String> sentences =
        Files.readAllLines(DataKit.tatoeba(), StandardCharsets.UTF_8).stream()
            .map(line -> line.split("\t")[0])
            .filter(s -> s.length() > minLength)
            .limit(count)
            .toList();
    if (sentences.size() < count) {
      throw new IllegalStateException("the data kit's Tatoeba file has " + sentences.size()
          + " English sentences longer than " + minLength + " characters, not " + count);
    }
    return sentences;
  }
}
