package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.io.RecordJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Config names, the default config and what the card says about the translators and scores. */
class DatasetCardTest {
  private static JsonNode set(String folder, String shape, long rows) throws Exception {
    return RecordJson.parse("{\"folder\":\"" + folder + "\",\"shape\":\"" + shape + "\",\"rows\":"
        + rows + ",\"path\":\"" + folder + "/" + shape + "-*.parquet\",\"columns\":[\"record_id\"]}");
  }

  @Test
  void oneConfigPerFileSetWithTheLargestChosenSetTheDefault() throws Exception {
    List<JsonNode> sets = List.of(set("candidates", "candidates", 30), set("chosen", "alpaca", 4),
        set("chosen", "messages", 6), set("dead_letter", "dead_letter", 0));
    List<DatasetCard.Config> configs = DatasetCard.configs(sets);
    List<String> names = new ArrayList<>();
    configs.forEach(c -> names.add(c.name() + (c.isDefault() ? "*" : "")));
    assertEquals(List.of("chosen_messages*", "chosen_alpaca", "candidates", "dead_letter"), names);

    List<DatasetCard.Config> single =
        DatasetCard.configs(List.of(set("chosen", "messages", 6), set("rejected", "rejected", 0)));
    assertEquals("chosen", single.get(0).name());
    assertTrue(single.get(0).isDefault());
  }

  @Test
  void theCardNamesTranslatorsLicencesAndOverallMeans() throws Exception {
    JsonNode report = RecordJson.parse("{\"input\":\"in/*.jsonl\",\"counts\":{\"input\":3,"
        + "\"chosen\":3,\"rejected\":0,\"dead_letter\":0},\"splits\":{\"a\":{\"chosen\":1,"
        + "\"LR_mean\":0.5,\"SCR_mean\":1.0,\"rank_score_mean\":0.75},\"b\":{\"chosen\":2,"
        + "\"LR_mean\":0.8,\"SCR_mean\":0.7,\"rank_score_mean\":0.75}},\"backends\":{\"g\":"
        + "{\"wins\":3}},\"policy\":{\"spec\":\"\"},\"r0\":{\"r0\":0.8166}}");
    BackendSpec gemma = BackendSpec.parse(
        "name=g,url=http://127.0.0.1:1/v1,model=gemma-3-27b,license=gemma,key-env=SECRET_VAR");
    String card = DatasetCard.markdown(
        DatasetCard.configs(List.of(set("chosen", "messages", 3))), report, List.of(gemma),
        "parquet");
    assertTrue(card.contains("| g | openai_chat | gemma-3-27b | gemma | 3 |"), card);
    // (0.5 + 2 * 0.8) / 3 = 0.7 and (1.0 + 2 * 0.7) / 3 = 0.8
    assertTrue(card.contains("| (all) | 3 | 0.7000 | 0.8000 | 0.7500 |  |"), card);
    assertTrue(!card.contains("SECRET_VAR") && !card.contains("127.0.0.1"), card);
  }
}
