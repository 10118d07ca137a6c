package dev.tarjama.transforms.quality;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.models.testing.DataKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No false alarms on real human translations: the default gates on the data kit's Tatoeba pairs
 * and XQuAD questions (the tuning split's kind of data; the benchmark reports the other split).
 */
class HumanTranslationsTest {

  @Test
  void theDefaultGatesPassAtLeast98PercentOfHumanTranslations() throws Exception {
    List<String[]> pairs = new ArrayList<>();
    List<String> lines = Files.readAllLines(
        DataKit.tatoeba(), StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size() && pairs.size() < 400; i += 30) { // even lines: the dev split
      String[] cols = lines.get(i).split("\t");
      pairs.add(new String[] {cols[0], cols[1]});
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode en = json.readTree(DataKit.data("eval/xquad/xquad.en.json").toFile()).get("data");
    JsonNode ar = json.readTree(DataKit.data("eval/xquad/xquad.ar.json").toFile()).get("data");
    for (int a = 0; a < en.size() / 2; a++) { // articles 0-23: the dev split
      JsonNode q = en.get(a).get("paragraphs").get(0).get("qas");
      JsonNode r = ar.get(a).get("paragraphs").get(0).get("qas");
      for (int k = 0; k < Math.min(6, q.size()); k++) {
        pairs.add(new String[] {q.get(k).get("question").asText(), r.get(k).get("question").asText()});
      }
    }
    QualityEstimator estimator = QualityEstimator.defaults("ar", QualitySignalsTest.R0)
        .withSignal(LanguageSignal.of(DataKit.langid().toString(), "ar"));
    RankingPolicy policy = RankingPolicy.defaults();
    List<String> alarms = new ArrayList<>();
    for (String[] p : pairs) {
      Candidate c = estimator.estimate(
          Candidate.unscored("r", "chat", "human", 0, "{}", true, "", p[0], p[1], 0, 0));
      List<String> gates = policy.gateFailures(c);
      if (!gates.isEmpty()) {
        alarms.add(p[0] + " -> " + p[1] + ": " + gates);
      }
    }
    assertTrue(alarms.size() <= pairs.size() * 0.02,
        alarms.size() + " of " + pairs.size() + " human translations gated: " + alarms);
  }
}
