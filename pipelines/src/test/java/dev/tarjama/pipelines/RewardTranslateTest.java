package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.DataKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama translate --reward-model}: the bundled tiny translators A (greedy) and B (two
 * seeded samples) translate Self-Instruct seed tasks in-process, the bundled tiny reward model
 * scores every valid candidate, and the reward weight decides winners.
 */
class RewardTranslateTest {
  static final Path MODELS = Path.of(System.getProperty("tarjama.testdata")).resolve("models");
  static final Path TINY_REWARD = MODELS.resolve("tiny-reward");
  static final int RECORDS = 12;

  static String[] args(Path input, Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "translate",
        "--input=" + input,
        "--output=" + output,
        "--progress-seconds=0",
        "--backend=name=tiny-a,kind=local,path=" + MODELS.resolve("tiny-en-ar-a")
            + ",k=1,decoding=greedy,label=tiny_a",
        "--backend=name=tiny-b,kind=local,path=" + MODELS.resolve("tiny-en-ar-b")
            + ",k=2,decoding=sample,seed=5,label=tiny_b"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  static Path input(Path tmp) throws Exception {
    List<String> lines =
        Files.readAllLines(DataKit.data("instruct/alpaca_seed/seed_tasks.jsonl"));
    Path input = tmp.resolve("seed_tasks.jsonl");
    Files.write(input, lines.subList(0, RECORDS));
    return input;
  }

  /** record id → backend/index → candidate line. */
  static Map<String, Map<String, JsonNode>> candidates(RunOutputs out) {
    Map<String, Map<String, JsonNode>> byRecord = new HashMap<>();
    for (JsonNode c : out.lines("candidates")) {
      byRecord.computeIfAbsent(c.get("record_id").asText(), k -> new HashMap<>())
          .put(c.get("backend").asText() + "/" + c.get("candidate").asInt(), c);
    }
    return byRecord;
  }

  /** record id → the winner's backend/index, matched through its translated record. */
  static Map<String, String> winners(RunOutputs out) {
    Map<String, Map<String, JsonNode>> pool = candidates(out);
    Map<String, String> winners = new HashMap<>();
    for (JsonNode chosen : out.lines("chosen")) {
      String instruction = chosen.get("instruction").asText();
      String found = null;
      for (Map.Entry<String, Map<String, JsonNode>> record : pool.entrySet()) {
        for (Map.Entry<String, JsonNode> c : record.getValue().entrySet()) {
          if (c.getValue().get("backend").asText().equals(chosen.get("source").asText())
              && c.getValue().get("rank_score").asDouble() == chosen.get("rank_score").asDouble()
              && RunOutputs.record(c.getValue()).path("instruction").asText().equals(instruction)) {
            found = record.getKey() + " " + c.getKey();
          }
        }
      }
      assertTrue(found != null, "chosen record not among the candidates: " + chosen);
      winners.put(found.split(" ")[0], found.split(" ")[1]);
    }
    return winners;
  }

  @Test
  void rewardsScoreEveryValidCandidateAndTheirWeightDecidesWinners(@TempDir Path tmp)
      throws Exception {
    Path input = input(tmp);
    Path noWeight = tmp.resolve("w0");
    Path weighed = tmp.resolve("w4");
    RunOutputs w0 = JobTest.line(args(input, noWeight, "--reward-model=" + TINY_REWARD,
        "--policy=qe=off,w-reward=0")).runOnce(); // the reward weight alone decides
    RunOutputs w4 = JobTest.line(args(input, weighed, "--reward-model=" + TINY_REWARD,
        "--policy=qe=off,w-reward=4", "--preference-min-gap=0.02")).runOnce();

    // Every valid candidate has a reward, every invalid one none; the same in both runs.
    Map<String, Map<String, JsonNode>> pool0 = candidates(w0);
    Map<String, Map<String, JsonNode>> pool4 = candidates(w4);
    assertEquals(RECORDS, pool4.size());
    int valid = 0;
    for (String record : pool4.keySet()) {
      assertEquals(3, pool4.get(record).size(), record);
      for (Map.Entry<String, JsonNode> e : pool4.get(record).entrySet()) {
        JsonNode c = e.getValue();
        if (c.get("valid").asBoolean()) {
          valid++;
          assertTrue(c.get("reward").isNumber(), c.toString());
          assertEquals(c.get("reward").asDouble(),
              pool0.get(record).get(e.getKey()).get("reward").asDouble(), 1e-9,
              "rewards do not depend on the policy");
        } else {
          assertTrue(c.get("reward").isNull(), c.toString());
        }
      }
    }
    assertTrue(valid >= 2 * RECORDS, "valid candidates: " + valid);
    JsonNode report = w4.report();
    assertEquals(valid, w4.counter("reward/scored"), report.get("metrics").toString());
    assertEquals(4.0, report.at("/policy/weights/reward").asDouble());
    assertEquals("logistic", report.at("/policy/reward_normalization").asText());
    assertEquals(TINY_REWARD.toString(), report.at("/policy/reward_model/path").asText());
    for (JsonNode chosen : w4.lines("chosen")) {
      assertTrue(chosen.get("reward").isNumber(), "chosen/ carries the winner's reward");
    }

    // Without weight the winner has the best (LR + SCR)/2; with weight 4 the reward dominates.
    Map<String, String> winners0 = winners(w0);
    Map<String, String> winners4 = winners(w4);
    int changed = 0;
    for (String record : winners4.keySet()) {
      Map<String, JsonNode> cands = pool4.get(record);
      JsonNode best0 = pool0.get(record).get(winners0.get(record));
      for (JsonNode c : pool0.get(record).values()) {
        if (c.get("valid").asBoolean()) {
          assertTrue(best0.get("rank_score").asDouble() >= c.get("rank_score").asDouble());
        }
      }
      JsonNode best4 = cands.get(winners4.get(record));
      for (JsonNode c : cands.values()) {
        if (c.get("valid").asBoolean()) {
          assertTrue(best4.get("rank_score").asDouble() >= c.get("rank_score").asDouble());
        }
      }
      if (!winners4.get(record).equals(winners0.get(record))) {
        changed++;
        assertTrue(best4.get("reward").asDouble()
            > pool4.get(record).get(winners0.get(record)).get("reward").asDouble(),
            "a winner changed by the reward has the higher reward");
      }
    }
    System.out.println("w-reward 0 -> 4 changed " + changed + " of " + winners4.size() + " winners");
    assertTrue(changed >= 1, "the reward weight changed no winner: " + winners0 + " vs " + winners4);

    // preferences/: TRL conversational pairs, best vs worst valid candidate per record.
    List<JsonNode> preferences = w4.lines("preferences");
    assertFalse(preferences.isEmpty());
    for (JsonNode p : preferences) {
      assertEquals(List.of("chosen", "chosen_source", "prompt", "record_id", "rejected",
          "rejected_source", "score_chosen", "score_rejected", "split"),
          sortedNames(p));
      assertMessages(p.get("prompt"), "user");
      assertMessages(p.get("chosen"), "assistant");
      assertMessages(p.get("rejected"), "assistant");
      String chosenText = p.at("/chosen/0/content").asText();
      String rejectedText = p.at("/rejected/0/content").asText();
      assertNotEquals(chosenText, rejectedText);
      assertTrue(p.get("score_chosen").asDouble() > p.get("score_rejected").asDouble() + 0.02);
      Map<String, JsonNode> cands = pool4.get(p.get("record_id").asText());
      List<JsonNode> validOnes = cands.values().stream()
          .filter(c -> c.get("valid").asBoolean())
          .sorted(Comparator.comparingDouble(c -> -c.get("rank_score").asDouble()))
          .toList();
      assertEquals(validOnes.get(0).get("rank_score").asDouble(),
          p.get("score_chosen").asDouble(), 0.0, "chosen = the record's best valid candidate");
      assertEquals(validOnes.get(validOnes.size() - 1).get("rank_score").asDouble(),
          p.get("score_rejected").asDouble(), 0.0, "rejected = its worst valid candidate");
    }
  }

  private static List<String> sortedNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    names.sort(null);
    return names;
  }

  private static void assertMessages(JsonNode messages, String role) {
    assertTrue(messages.isArray() && messages.size() == 1, String.valueOf(messages));
    JsonNode m = messages.get(0);
    assertEquals(role, m.get("role").asText());
    assertTrue(m.get("content").isTextual() && !m.get("content").asText().isBlank(), m.toString());
    assertEquals(2, m.size(), "a message is {role, content}");
  }

  @Test
  void aRewardModelWithOtherInputNamesFailsAtStartUpNamingExpectedAndFound(@TempDir Path tmp)
      throws Exception {
    Path model = Files.createDirectories(tmp.resolve("not-a-reward-model"));
    Files.copy(TINY_REWARD.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
    Files.copy(MODELS.resolve("reward-signature-errors/wrong_names.onnx"),
        model.resolve("model.onnx"));
    RunOutputs run =
        JobTest.line(args(input(tmp), tmp.resolve("out"), "--reward-model=" + model)).exits(2)
            .runOnce();
    assertTrue(run.stderr.contains("--reward-model: " + model.resolve("model.onnx")), run.stderr);
    assertTrue(run.stderr.contains("expected inputs [input_ids, attention_mask]"), run.stderr);
    assertTrue(run.stderr.contains("found inputs [mask, tokens] and outputs [scores]"), run.stderr);
    assertFalse(Files.exists(tmp.resolve("out")), "nothing ran");
  }

  @Test
  void aRewardWeightWithoutARewardModelIsRefused(@TempDir Path tmp) throws Exception {
    RunOutputs run =
        JobTest.line(args(input(tmp), tmp.resolve("out"), "--policy=w-reward=1")).exits(2)
            .runOnce();
    assertTrue(run.stderr.contains("w-reward=1.0) but no --reward-model is given"), run.stderr);
  }
}
