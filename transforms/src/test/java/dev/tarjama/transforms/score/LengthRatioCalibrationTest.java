package dev.tarjama.transforms.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.score.LengthRatioCalibration.Calibration;
import dev.tarjama.transforms.score.LengthRatioCalibration.HumanPair;
import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** r₀ for EN→AR on the data kit's human translations (Tatoeba, XQuAD). */
class LengthRatioCalibrationTest {
  private static final Path TATOEBA = DataKit.tatoeba();
  private static final Path XQUAD_EN = DataKit.data("eval/xquad/xquad.en.json");
  private static final Path XQUAD_AR = DataKit.data("eval/xquad/xquad.ar.json");
  private static final double EPS = 1e-9;

  @Test
  void readersReadEveryPair() throws IOException {
    List<HumanPair> tatoeba = LengthRatioCalibration.readTatoebaAnki(TATOEBA);
    assertEquals(12_561, tatoeba.size());
    assertEquals(new HumanPair("Hi.", "مرحبًا."), tatoeba.get(0));

    List<HumanPair> xquad = LengthRatioCalibration.readXquad(XQUAD_EN, XQUAD_AR);
    assertEquals(240 + 1_190, xquad.size(), "every context and every question");
    assertTrue(xquad.get(0).source().startsWith("The Panthers defense gave up just 308 points"),
        xquad.get(0).source());
    assertTrue(xquad.get(0).target().startsWith(" "), "Arabic contexts start with a space");
    assertTrue(xquad.get(1).source().endsWith("?"), "a question follows its context");
  }

  @Test
  void tatoebaAlone() {
    Calibration c = LengthRatioCalibration.forPair("en-ar").withTatoebaAnki(TATOEBA).calibrate();
    assertEquals(12_561, c.pairs());
    assertEquals(0, c.skipped());
    // Short conversational Arabic is compact (clitic pronouns: "I love you" → "أحبك").
    assertEquals(13.0 / 17, c.r0(), EPS);
    assertTrue(c.q1() < c.r0() && c.r0() < c.q3());
    assertEquals(0.6486, c.q1(), 1e-3);
    assertEquals(0.8947, c.q3(), 1e-3);
  }

  @Test
  void xquadAlone() {
    Calibration c =
        LengthRatioCalibration.forPair("en-ar").withXquad(XQUAD_EN, XQUAD_AR).calibrate();
    assertEquals(1_430, c.pairs());
    // Professional paragraph translations: Arabic about 15% shorter than English.
    assertEquals(0.8468, c.r0(), 1e-3);
    assertEquals(0.8000, c.q1(), 1e-3);
    assertEquals(0.8991, c.q3(), 1e-3);
    assertEquals(0.8555, c.totalRatio(), 1e-3);
  }

  @Test
  void dataKitPooledIsPlausibleAndDeterministic() {
    Calibration c = LengthRatioCalibration.enArDataKit(DataKit.root()).calibrate();
    assertEquals("en-ar", c.languagePair());
    assertEquals(12_561 + 1_430, c.pairs());
    assertEquals(0.8166, c.r0(), 1e-3);
    assertTrue(c.r0() > 0.75 && c.r0() < 1.0, "Arabic is shorter than English in characters");
    assertEquals(c.totalRatio(), c.r0(), 0.01, "the weighted median sits next to the total ratio");
    assertTrue(c.iqr() > 0.1 && c.iqr() < 0.25, "iqr " + c.iqr());
    assertEquals(2, c.sources().size());
    assertEquals("tatoeba_anki", c.sources().get(0).name());
    assertEquals(c, LengthRatioCalibration.enArDataKit(DataKit.root()).calibrate());
  }

  @Test
  void estimateDoesNotDependOnPairOrder() throws IOException {
    List<HumanPair> pairs = new ArrayList<>(LengthRatioCalibration.readXquad(XQUAD_EN, XQUAD_AR));
    Calibration inOrder = LengthRatioCalibration.forPair("en-ar").withPairs("x", pairs).calibrate();
    Collections.shuffle(pairs, new Random(7));
    Calibration shuffled = LengthRatioCalibration.forPair("en-ar").withPairs("x", pairs).calibrate();
    assertEquals(inOrder.r0(), shuffled.r0(), 0.0);
    assertEquals(inOrder.q1(), shuffled.q1(), 0.0);
    assertEquals(inOrder.q3(), shuffled.q3(), 0.0);
  }

  @Test
  void weightedMedianIgnoresOutliersAndWeighsBySourceLength() {
    // Weights 10, 1, 1, 1 by source length: the long pair's ratio 0.8 holds > half the weight.
    List<HumanPair> pairs = List.of(
        new HumanPair("aaaaaaaaaa", "bbbbbbbb"),
        new HumanPair("a", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        new HumanPair("a", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        new HumanPair("a", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        new HumanPair("   ", "skipped: empty source"));
    Calibration c = LengthRatioCalibration.forPair("x-y").withPairs("toy", pairs).calibrate();
    assertEquals(0.8, c.r0(), EPS);
    assertEquals(4, c.pairs());
    assertEquals(1, c.skipped());
    assertEquals((8.0 + 90) / 13, c.totalRatio(), EPS);
  }

  @Test
  void toJsonCarriesEstimateCountAndSpread() throws IOException {
    Calibration c = LengthRatioCalibration.enArDataKit(DataKit.root()).calibrate();
    JsonNode json = new ObjectMapper().readTree(c.toJson());
    assertEquals(c.r0(), json.get("r0").asDouble(), 0.0);
    assertEquals(13_991, json.get("pairs").asLong());
    assertEquals(c.q1(), json.get("iqr").get(0).asDouble(), 0.0);
    assertEquals(c.q3(), json.get("iqr").get(1).asDouble(), 0.0);
    assertEquals(LengthRatioCalibration.METHOD, json.get("method").asText());
    assertEquals("xquad", json.get("sources").get(1).get("name").asText());
    assertEquals(1_430, json.get("sources").get(1).get("pairs").asLong());
  }

  @Test
  void malformedInputFailsLoudly(@TempDir Path dir) throws IOException {
    Path tsv = dir.resolve("bad.txt");
    Files.writeString(tsv, "Hi.\tمرحبا\tattr\nno tab here\n", StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LengthRatioCalibration.readTatoebaAnki(tsv));
    assertTrue(e.getMessage().contains("bad.txt:2"), e.getMessage());

    Path en = dir.resolve("en.json");
    Path ar = dir.resolve("ar.json");
    Files.writeString(en, "{\"data\":[{\"paragraphs\":[{\"context\":\"C\",\"qas\":"
        + "[{\"id\":\"q1\",\"question\":\"Q?\"}]}]}]}");
    Files.writeString(ar, "{\"data\":[{\"paragraphs\":[{\"context\":\"ج\",\"qas\":"
        + "[{\"id\":\"q2\",\"question\":\"س؟\"}]}]}]}");
    e = assertThrows(IllegalArgumentException.class, () -> LengthRatioCalibration.readXquad(en, ar));
    assertTrue(e.getMessage().contains("data[0].paragraphs[0].qas[0]: id q1"), e.getMessage());

    assertThrows(IllegalStateException.class,
        () -> LengthRatioCalibration.forPair("en-ar").calibrate());
  }
}
