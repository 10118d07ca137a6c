package dev.tarjama.models.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.onnx.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled tiny reward model (testdata/models/tiny-reward, made by
 * testdata/tools/make_tiny_reward_model.py) through ONNX Runtime Java, on the held-out Tatoeba
 * pairs it was never trained on.
 */
class RewardModelTest {
  static final Path TESTDATA = Path.of(System.getProperty("tarjama.testdata"));
  static final Path TINY = TESTDATA.resolve("models/tiny-reward");
  static final Path ERRORS = TESTDATA.resolve("models/reward-signature-errors");

  @TempDir Path temp;

  static List<String> lines(String file) throws IOException {
    return Files.readAllLines(TESTDATA.resolve("eval").resolve(file));
  }

  @Test
  void idsAndRewardsEqualThoseOfTheTorchModelThatWasExported() throws Exception {
    JsonNode training = new ObjectMapper().readTree(TINY.resolve("training.json").toFile());
    try (RewardModel model = RewardModel.load(TINY)) {
      assertEquals("CPU", model.provider());
      for (JsonNode example : training.get("torch_scores")) {
        RewardModel.Encoded encoded =
            model.encode(example.get("source").asText(), example.get("candidate").asText());
        long[] expected = new long[example.get("ids").size()];
        for (int i = 0; i < expected.length; i++) {
          expected[i] = example.get("ids").get(i).asLong();
        }
        assertArrayEquals(expected, encoded.ids(), example.get("candidate").asText());
        double reward = model.score(List.of(encoded))[0];
        assertEquals(example.get("reward").asDouble(), reward, 1e-4);
      }
    }
  }

  @Test
  void scoresDoNotDependOnTheBatchTheyArePaddedIn() throws Exception {
    List<String> en = lines("tatoeba_heldout.en.txt").subList(0, 40);
    List<String> ar = lines("tatoeba_heldout.ar.txt").subList(0, 40);
    try (RewardModel model = RewardModel.load(TINY)) {
      double[] batched = model.score(en, ar);
      for (int i = 0; i < en.size(); i += 7) {
        double alone = model.score(List.of(en.get(i)), List.of(ar.get(i)))[0];
        assertEquals(alone, batched[i], 1e-4, en.get(i));
      }
    }
  }

  @Test
  void prefersTheHumanTranslationToEnglishLeftUntranslatedOrAnotherSentencesTranslation()
      throws Exception {
    List<String> en = lines("tatoeba_heldout.en.txt");
    List<String> ar = lines("tatoeba_heldout.ar.txt");
    List<String> mismatched = new ArrayList<>(ar.subList(1, ar.size()));
    mismatched.add(ar.get(0));
    try (RewardModel model = RewardModel.load(TINY)) {
      double[] reference = score(model, en, ar);
      double[] untranslated = score(model, en, en);
      double[] other = score(model, en, mismatched);
      int overEnglish = 0;
      int overMismatch = 0;
      for (int i = 0; i < en.size(); i++) {
        overEnglish += reference[i] > untranslated[i] ? 1 : 0;
        overMismatch += reference[i] > other[i] ? 1 : 0;
      }
      assertTrue(overEnglish >= 0.95 * en.size(), overEnglish + " of " + en.size());
      assertTrue(overMismatch >= 0.6 * en.size(), overMismatch + " of " + en.size());
      assertTrue(Arrays.stream(reference).distinct().count() > 400, "rewards must differ");
    }
  }

  private static double[] score(RewardModel model, List<String> sources, List<String> candidates)
      throws Exception {
    double[] out = new double[sources.size()];
    for (int from = 0; from < sources.size(); from += 32) {
      int to = Math.min(sources.size(), from + 32);
      double[] part = model.score(sources.subList(from, to), candidates.subList(from, to));
      System.arraycopy(part, 0, out, from, part.length);
    }
    return out;
  }

  @Test
  void longPairsAreCutFromTheConfiguredSide() throws Exception {
    String source = "Tom lives in Boston. ".repeat(20);
    String candidate = "توم يعيش في بوسطن. ".repeat(20);
    RewardModelConfig config = RewardModelConfig.of(TINY).withMaxTokens(32);
    try (RewardModel left = RewardModel.load(config);
        RewardModel right = RewardModel.load(config.withTruncationSide(TruncationSide.RIGHT));
        RewardModel whole = RewardModel.load(config.withMaxTokens(4096))) {
      long[] all = whole.encode(source, candidate).ids();
      assertFalse(whole.encode(source, candidate).truncated());
      RewardModel.Encoded l = left.encode(source, candidate);
      RewardModel.Encoded r = right.encode(source, candidate);
      assertTrue(l.truncated() && r.truncated());
      assertEquals(all.length, l.fullLength());
      assertArrayEquals(Arrays.copyOfRange(all, all.length - 32, all.length), l.ids(),
          "left truncation keeps the candidate's end and its end-of-turn token");
      assertArrayEquals(Arrays.copyOf(all, 32), r.ids(), "right truncation keeps the start");
      assertFalse(left.encode("Hi.", "مرحبا.").truncated());
    }
  }

  @Test
  void settingsComeFromRewardConfigJson() throws Exception {
    RewardModelConfig config = RewardModelConfig.of(TINY);
    assertEquals(256, config.maxTokens());
    assertEquals(TruncationSide.LEFT, config.truncationSide());
    assertEquals(151643, config.padTokenId());
    assertEquals(ChatTemplate.QWEN, config.template());
    assertEquals(ExecutionProvider.CPU, config.provider());

    Path dir = copyOf(TINY);
    Files.writeString(dir.resolve(RewardModelConfig.SETTINGS), "{\"max_tokns\": 12}");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> RewardModelConfig.of(dir));
    assertTrue(e.getMessage().contains(RewardModelConfig.SETTINGS), e.getMessage());
    assertTrue(e.getMessage().contains("unknown setting 'max_tokns'"), e.getMessage());

    Files.writeString(dir.resolve(RewardModelConfig.SETTINGS), "{\"template\": \"{candidate}\"}");
    e = assertThrows(ModelLoadException.class, () -> RewardModelConfig.of(dir));
    assertTrue(e.getMessage().contains("needs {source} and then {candidate}"), e.getMessage());

    Files.delete(dir.resolve(RewardModelConfig.SETTINGS));
    Files.writeString(dir.resolve("config.json"), "{\"pad_token_id\": 7}");
    RewardModelConfig defaults = RewardModelConfig.of(dir);
    assertEquals(RewardModelConfig.DEFAULT_MAX_TOKENS, defaults.maxTokens());
    assertEquals(7, defaults.padTokenId(), "the export's config.json names its pad token");
  }

  @Test
  void aModelWithOtherInputNamesFailsAtLoadNamingExpectedAndFound() throws Exception {
    Path dir = copyOf(TINY);
    Files.copy(ERRORS.resolve("wrong_names.onnx"), dir.resolve(RewardModelConfig.MODEL),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> RewardModel.load(dir));
    assertEquals(dir.resolve(RewardModelConfig.MODEL).toAbsolutePath().toString(), e.file());
    assertTrue(e.getMessage().contains(
        "expected inputs [input_ids, attention_mask] (optionally position_ids) and output [logits],"
            + " found inputs [mask, tokens] and outputs [scores]"), e.getMessage());
  }

  @Test
  void aTwoLabelHeadIsNotAScalarReward() throws Exception {
    Path dir = copyOf(TINY);
    Files.copy(ERRORS.resolve("two_logits.onnx"), dir.resolve(RewardModelConfig.MODEL),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> RewardModel.load(dir));
    assertTrue(e.getMessage().contains("logits must be [batch, 1]"), e.getMessage());
    assertTrue(e.getMessage().matches("(?s).*found \\[-?\\d+, 2\\].*"), e.getMessage());
  }

  @Test
  void missingFilesAreNamed() throws Exception {
    Path dir = copyOf(TINY);
    Files.delete(dir.resolve(RewardModelConfig.TOKENIZER));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> RewardModel.load(dir));
    assertEquals(dir.resolve("tokenizer.json").toAbsolutePath().toString(), e.file());
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  @Test
  void cudaFallsBackToCpuAndSaysSoWhereThereIsNoGpuBuild() throws Exception {
    try (RewardModel model =
        RewardModel.load(RewardModelConfig.of(TINY).withProvider(ExecutionProvider.CUDA))) {
      if (model.provider().equals("CPU")) {
        assertTrue(model.providerNote().contains("onnxruntime_gpu"), model.providerNote());
      } else {
        assertTrue(model.provider().startsWith("CUDA:"), model.provider());
      }
      assertTrue(Double.isFinite(model.score(List.of("Hi."), List.of("مرحبا."))[0]));
    }
  }

  private Path copyOf(Path source) throws IOException {
    Path dir = Files.createTempDirectory(temp, "reward");
    try (var files = Files.list(source)) {
      for (Path file : files.toList()) {
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
    return dir;
  }
}
