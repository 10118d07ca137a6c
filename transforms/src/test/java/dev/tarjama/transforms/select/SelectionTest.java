package dev.tarjama.transforms.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Conversation;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The selection's configuration and record traits, without a pipeline. */
class SelectionTest {

  @Test
  void smolKalamsMixSharesEachModeQuotaByTheRatios() {
    Selection s = Selection.none().withModeQuotas(50_000L, 180_000L)
        .withStratify("code:science:math=1:1:2");
    LinkedHashMap<String, Long> expected = new LinkedHashMap<>();
    expected.put("think/code", 12_500L);
    expected.put("think/science", 12_500L);
    expected.put("think/math", 25_000L);
    expected.put("no_think/code", 45_000L);
    expected.put("no_think/science", 45_000L);
    expected.put("no_think/math", 90_000L);
    assertEquals(expected, s.validated().targets());
  }

  @Test
  void largestRemaindersMakeTheSharesAddUpToTheTotal() {
    LinkedHashMap<String, Long> share =
        Selection.none().withStratify("a:b:c=1:1:1").withTotal(10L).validated().targets();
    assertEquals(10L, share.values().stream().mapToLong(Long::longValue).sum());
    assertEquals(List.of(4L, 3L, 3L), List.copyOf(share.values()));
    // A mode without a quota is not limited.
    assertEquals(-1L, Selection.none().withModeQuotas(null, 5L).targets().get("think"));
  }

  @Test
  void splitQuotasPreferAnExactNameThenTheFirstMatchingPattern() {
    Selection s = Selection.none().withSplitQuotas("gsm8k_*=7, *_think=5,gsm8k_think=9");
    assertEquals(9, s.splitQuota("gsm8k_think"));
    // gsm8k_no_think ends in _think too: the first pattern in order wins.
    assertEquals(7, s.splitQuota("gsm8k_no_think"));
    assertEquals(5, s.splitQuota("s1k_1.1_think"));
    assertEquals(-1, s.splitQuota("aya_dataset"));
    assertEquals("math", Selection.none().withCategories("OpenThoughts3*=math")
        .categoryOf("OpenThoughts3_1.2M_think"));
    assertEquals("astronomy", Selection.none().categoryOf("astronomy"));
  }

  @Test
  void badSpecsSayWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Selection.none().withSplitQuotas("gsm8k=many")).getMessage().contains("gsm8k=many"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Selection.none().withStratify("code:math=1")).getMessage().contains("2 categories"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Selection.none().withStratify("code:math=1:2").validated()).getMessage()
        .contains("--select-total"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Selection.none().withKeepLanguages(List.of("en"), null)).getMessage()
        .contains("--langid-model"));
    assertThrows(IllegalArgumentException.class, () -> Selection.none().withModeQuotas(-1L, 2L));
    assertFalse(Selection.none().isActive());
    assertTrue(Selection.none().withoutCodeSamples(0).isActive());
  }

  @Test
  void recordTraitsOfRealRecords() throws Exception {
    List<Conversation> smol =
        KitConversations.jsonLines("instruct/smoltalk2_style/gsm8k_think.jsonl", null);
    assertEquals(Selection.THINK, RecordTraits.mode(smol.get(0)));
    assertEquals(Selection.NO_THINK, RecordTraits.mode(smol.get(1)));
    assertEquals("gsm8k_think", RecordTraits.categoryValue(smol.get(0), null));
    // Typed reasoning parts, no SmolTalk2 flag: think by content.
    List<Conversation> typed =
        KitConversations.jsonLines("instruct/llamafactory/reason_tool_use_demo_50.jsonl", null);
    assertEquals(Selection.THINK, RecordTraits.mode(typed.get(0)));
    // GSM8K has no reasoning of any kind.
    List<Conversation> gsm8k = KitConversations.jsonLines("instruct/gsm8k/test.jsonl", null);
    assertEquals(Selection.NO_THINK, RecordTraits.mode(gsm8k.get(0)));
    assertEquals(0.0, RecordTraits.codeShare(gsm8k.get(0)));

    List<Conversation> mmlu =
        KitConversations.jsonLines("eval/mmlu_stem_en/test.jsonl", "question=user");
    assertEquals("college_biology", RecordTraits.categoryValue(mmlu.get(0), "type"));
    assertEquals("college_biology", RecordTraits.categoryValue(mmlu.get(0), "/type"));
    assertEquals("", RecordTraits.categoryValue(mmlu.get(0), "subject"));

    // A record with a fenced block: the block counts as code and is cut from the prose.
    Conversation withCode = KitConversations.jsonArray("instruct/llamafactory/alpaca_en_demo.json")
        .stream().filter(c -> c.json().contains("```")).findFirst().orElseThrow();
    double share = RecordTraits.codeShare(withCode);
    assertTrue(share > 0 && share < 1, "share " + share);
    assertFalse(RecordTraits.prose(withCode).contains("```"), RecordTraits.prose(withCode));
  }
}
