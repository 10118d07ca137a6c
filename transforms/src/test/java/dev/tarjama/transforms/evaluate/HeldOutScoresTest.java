package dev.tarjama.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled tiny models' held-out outputs (500 Tatoeba pairs) score what their eval.json says:
 * those numbers come from an independent Python re-implementation of sacreBLEU's chrF++ and BLEU
 * (testdata/tools/make_tiny_translators.py), rounded to 2 decimals.
 */
class HeldOutScoresTest {
  private static final Path TESTDATA = Path.of(System.getProperty("tarjama.testdata"));

  @ParameterizedTest
  @ValueSource(strings = {"tiny-en-ar-a", "tiny-en-ar-b"})
  void equalTheModelCardsScores(String model) throws IOException {
    List<String> hyps = lines(TESTDATA.resolve("models/" + model + "/heldout.hyp.ar.txt"));
    List<List<String>> refs = List.of(lines(TESTDATA.resolve("eval/tatoeba_heldout.ar.txt")));
    JsonNode scores = new ObjectMapper()
        .readTree(TESTDATA.resolve("models/" + model + "/eval.json").toFile()).get("scores");
    assertEquals(scores.get("BLEU").asDouble(),
        Bleu.sacreBleu().corpusScore(hyps, refs).score(), 0.005);
    assertEquals(scores.get("chrF++").asDouble(),
        ChrF.chrFPlusPlus().corpusScore(hyps, refs), 0.005);
    assertEquals(scores.get("chrF").asDouble(), ChrF.chrF().corpusScore(hyps, refs), 0.005);
  }

  private static List<String> lines(Path path) throws IOException {
    return SegmentFiles.segments(Files.readString(path, StandardCharsets.UTF_8));
  }
}
