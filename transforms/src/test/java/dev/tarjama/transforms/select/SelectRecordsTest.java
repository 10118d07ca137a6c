package dev.tarjama.transforms.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.models.testing.DataKit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SelectRecords on real data-kit records. */
@ExtendWith(TestPipelineExtension.class)
class SelectRecordsTest {

  static List<Conversation> smoltalk2() throws Exception {
    List<Conversation> all = new ArrayList<>(
        KitConversations.jsonLines("instruct/smoltalk2_style/gsm8k_think.jsonl", null));
    all.addAll(KitConversations.jsonLines("instruct/smoltalk2_style/think_tools.jsonl", null));
    return all;
  }

  static PCollectionTuple select(TestPipeline p, String name, List<Conversation> input,
      Selection selection) {
    return p.apply(name + "Input", Create.of(input))
        .apply(name, SelectRecords.using(selection));
  }

  static PCollection<String> ids(PCollectionTuple selected, String name) {
    return selected.get(SelectRecords.SELECTED)
        .apply(name + "Ids", MapElements.into(TypeDescriptors.strings()).via(c -> c.recordId()));
  }

  static PCollection<String> reasons(PCollectionTuple selected, String name) {
    return selected.get(SelectRecords.NOT_SELECTED)
        .apply(name + "Reasons", MapElements.into(TypeDescriptors.strings()).via(o -> o.reason()));
  }

  /** The n records of lowest (rank, id) per group: what "deterministic for a seed" means. */
  static Set<String> lowest(Map<String, List<String>> idsByGroup, Map<String, Integer> quota,
      long seed) {
    Set<String> kept = new TreeSet<>();
    idsByGroup.forEach((group, ids) -> {
      List<String> sorted = new ArrayList<>(ids);
      sorted.sort(Comparator.<String>comparingLong(id -> SelectionRank.of(seed, id))
          .thenComparing(Comparator.naturalOrder()));
      kept.addAll(sorted.subList(0, Math.min(quota.get(group), sorted.size())));
    });
    return kept;
  }

  /** SmolTalk2's own flag, read straight from the JSON. */
  static String thinking(Conversation c) throws Exception {
    return RecordJson.parse(c.json()).get("chat_template_kwargs").get("enable_thinking").asBoolean()
        ? "think" : "no_think";
  }

  @Test
  void thinkAndNoThinkQuotasAreMetExactlyAndTheSeedAloneDecidesWhich(TestPipeline p)
      throws Exception {
    List<Conversation> records = smoltalk2();
    Map<String, List<String>> byMode = new HashMap<>();
    for (Conversation c : records) {
      byMode.computeIfAbsent(thinking(c), k -> new ArrayList<>()).add(c.recordId());
    }
    assertEquals(200, byMode.get("think").size());
    assertEquals(150, byMode.get("no_think").size());
    Map<String, Integer> quota = Map.of("think", 40, "no_think", 30);
    Set<String> seed7 = lowest(byMode, quota, 7);
    Set<String> seed8 = lowest(byMode, quota, 8);
    assertEquals(70, seed7.size());
    assertNotEquals(seed7, seed8);

    Selection selection = Selection.none().withModeQuotas(40L, 30L).withSeed(7);
    PCollectionTuple first = select(p, "Seed7", records, selection);
    List<Conversation> reversed = new ArrayList<>(records);
    Collections.reverse(reversed);
    PCollectionTuple again = select(p, "Seed7Reversed", reversed, selection);
    PCollectionTuple other = select(p, "Seed8", records, selection.withSeed(8));

    PAssert.that(ids(first, "Seed7")).containsInAnyOrder(seed7);
    PAssert.that(ids(again, "Seed7Reversed")).containsInAnyOrder(seed7);
    PAssert.that(ids(other, "Seed8")).containsInAnyOrder(seed8);
    PAssert.that(reasons(first, "Seed7")).containsInAnyOrder(Collections.nCopies(280, "quota"));
    PAssert.that(first.get(SelectRecords.OUTCOMES)
            .apply("Strata", MapElements.into(TypeDescriptors.strings())
                .via(o -> o.stratum() + (o.selected() ? " selected" : " " + o.reason())))
            .apply("CountStrata", Count.perElement()))
        .containsInAnyOrder(KV.of("think selected", 40L), KV.of("think quota", 160L),
            KV.of("no_think selected", 30L), KV.of("no_think quota", 120L));
    p.run().waitUntilFinish();
  }

  @Test
  void splitQuotasCapEverySplitTheirPatternsMatch(TestPipeline p) throws Exception {
    PCollectionTuple out = select(p, "Select", smoltalk2(),
        Selection.none().withSplitQuotas("gsm8k_*=25,reason_tool_use_demo_50=10"));
    PAssert.that(out.get(SelectRecords.SELECTED)
            .apply(MapElements.into(TypeDescriptors.strings()).via(c -> c.split()))
            .apply(Count.perElement()))
        .containsInAnyOrder(KV.of("gsm8k_think", 25L), KV.of("gsm8k_no_think", 25L),
            KV.of("reason_tool_use_demo_50", 10L));
    PAssert.that(reasons(out, "Select"))
        .containsInAnyOrder(Collections.nCopies(350 - 60, "split_quota"));
    p.run().waitUntilFinish();
  }

  static final String MMLU_CATEGORIES = "*biology*=science,*physics*=science,*chemistry*=science,"
      + "*mathematics*=math,abstract_algebra=math,*computer*=code,machine_learning=code";

  /** The same mapping, written out by hand, for MMLU's 18 STEM subjects. */
  static String mmluCategory(String type) {
    if (type.contains("biology") || type.contains("physics") || type.contains("chemistry")) {
      return "science";
    }
    if (type.contains("mathematics") || type.equals("abstract_algebra")) {
      return "math";
    }
    if (type.contains("computer") || type.equals("machine_learning")) {
      return "code";
    }
    return "other";
  }

  @Test
  void stratifiedRatiosShareOutTheTotalByCategory(TestPipeline p) throws Exception {
    List<Conversation> mmlu =
        KitConversations.jsonLines("eval/mmlu_stem_en/test.jsonl", "question=user");
    assertEquals(3018, mmlu.size());
    long others = 0;
    for (Conversation c : mmlu) {
      if (mmluCategory(RecordJson.parse(c.json()).get("type").asText()).equals("other")) {
        others++;
      }
    }
    assertEquals(152 + 145 + 216, others); // astronomy, electrical engineering, statistics
    Selection selection = Selection.none().withCategoryField("type")
        .withCategories(MMLU_CATEGORIES).withStratify("code:science:math=1:1:2").withTotal(40L);
    PCollectionTuple out = select(p, "Select", mmlu, selection);
    PAssert.that(out.get(SelectRecords.SELECTED)
            .apply(MapElements.into(TypeDescriptors.strings()).via(c -> {
              try {
                return mmluCategory(RecordJson.parse(c.json()).get("type").asText());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }))
            .apply("CountCategories", Count.perElement()))
        .containsInAnyOrder(KV.of("code", 10L), KV.of("science", 10L), KV.of("math", 20L));
    PAssert.that(reasons(out, "Select").apply("CountReasons", Count.perElement()))
        .containsInAnyOrder(KV.of("category", others), KV.of("quota", 3018 - others - 40));
    p.run().waitUntilFinish();
  }

  @Test
  void modeQuotasAreSharedOutByRatiosAndAShortStratumKeepsWhatItHas(TestPipeline p)
      throws Exception {
    // think_tools records are all think: no_think/code has nothing to give.
    Selection selection = Selection.none().withModeQuotas(40L, 20L)
        .withCategories("gsm8k_*=math,reason_tool_use*=code").withStratify("code:math=1:3");
    PCollectionTuple out = select(p, "Select", smoltalk2(), selection);
    PAssert.that(out.get(SelectRecords.OUTCOMES)
            .apply(MapElements.into(TypeDescriptors.strings())
                .via(o -> o.stratum() + (o.selected() ? " selected" : " " + o.reason())))
            .apply(Count.perElement()))
        .containsInAnyOrder(
            KV.of("think/code selected", 10L), KV.of("think/code quota", 40L),
            KV.of("think/math selected", 30L), KV.of("think/math quota", 120L),
            KV.of("no_think/math selected", 15L), KV.of("no_think/math quota", 135L));
    p.run().waitUntilFinish();
  }

  @Test
  void theLanguageFilterDropsArabicRecordsAndKeepsEnglishOnes(TestPipeline p) throws Exception {
    List<Conversation> english = KitConversations.xquad("en", 20);
    List<Conversation> arabic = KitConversations.xquad("ar", 20);
    List<Conversation> mixed = new ArrayList<>(english);
    mixed.addAll(arabic);
    Selection selection =
        Selection.none().withKeepLanguages(List.of("en"), DataKit.langid().toString());
    PCollectionTuple out = select(p, "Select", mixed, selection);
    PAssert.that(ids(out, "Select"))
        .containsInAnyOrder(english.stream().map(c -> c.recordId()).toList());
    PAssert.that(out.get(SelectRecords.NOT_SELECTED)
            .apply(MapElements.into(TypeDescriptors.strings())
                .via(o -> o.recordId() + " " + o.reason() + " " + o.detail().substring(0, 3))))
        .containsInAnyOrder(arabic.stream().map(c -> c.recordId() + " language ar ").toList());
    p.run().waitUntilFinish();
  }

  @Test
  void theCodeFilterDropsEveryRecordWithAFencedCodeBlock(TestPipeline p) throws Exception {
    List<Conversation> alpaca =
        KitConversations.jsonArray("instruct/llamafactory/alpaca_en_demo.json");
    assertEquals(999, alpaca.size());
    Pattern fence = Pattern.compile("(?m)^ {0,3}(```|~~~)");
    List<String> withCode = new ArrayList<>();
    for (Conversation c : alpaca) {
      JsonNode r = RecordJson.parse(c.json());
      String text = r.get("instruction").asText() + "\n" + r.get("input").asText() + "\n"
          + r.get("output").asText();
      if (fence.matcher(text).find()) {
        withCode.add(c.recordId());
      }
    }
    assertEquals(39, withCode.size());
    PCollectionTuple out = select(p, "Select", alpaca, Selection.none().withoutCodeSamples(0.0));
    PAssert.that(out.get(SelectRecords.NOT_SELECTED)
            .apply(MapElements.into(TypeDescriptors.strings()).via(o -> o.recordId() + " " + o.reason())))
        .containsInAnyOrder(withCode.stream().map(id -> id + " code").toList());
    PAssert.that(out.get(SelectRecords.SELECTED).apply(Count.globally()))
        .containsInAnyOrder(999L - 39);

    // Mostly-code records only: a looser share keeps records that merely include a snippet.
    PCollectionTuple loose =
        select(p, "Loose", alpaca, Selection.none().withoutCodeSamples(0.5));
    PAssert.that(loose.get(SelectRecords.NOT_SELECTED)).satisfies(left -> {
      int n = 0;
      for (SelectionOutcome o : left) {
        assertTrue(withCode.contains(o.recordId()), o.toString());
        double share = Double.parseDouble(o.detail().replace("code share ", ""));
        assertTrue(share > 0.5, o.toString());
        n++;
      }
      assertTrue(n > 0 && n < withCode.size(), "mostly-code records: " + n);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
