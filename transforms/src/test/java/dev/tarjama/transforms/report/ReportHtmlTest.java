package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportHtmlTest {
  static final String REPORT = """
      {"input":"in/*.jsonl","output":"out/","runner":"DirectRunner","wall_time_s":3.2,
       "counts":{"input":3,"chosen":2,"rejected":1,"dead_letter":0},
       "splits":{"news<b>":{"chosen":2,"rejected":1,"rejected_share":0.333,"LR_mean":0.9,
         "SCR_mean":1.0,"rank_score_mean":0.95}},
       "backends":{"gemma":{"candidates":3,"valid":3,"wins":2,"win_rate":1.0,"tokens_in":100,
         "tokens_out":120,"cost_usd":0.0012}},
       "cost_usd":0.0012,
       "quality":{"by_backend":{"gemma":{"news<b>":{"measured":3,"gated":1,"gated_share":0.333,
         "failed_share":{"untranslated":0.333},"failed":{"untranslated":1}}}},
         "examples":{"untranslated":[{"record_id":"r<1>","backend":"gemma","candidate":0,
           "detail":"<img src=x onerror=alert(1)>"}]}},
       "policy":{"spec":"min-lr=0.6"},"r0":{"r0":0.9}}
      """;
  static final String SAMPLE = """
      {"records":[{"record_id":"in#1","outcome":"chosen","split":"news","reason":"",
        "source":"Hello <script>alert('src')</script>","winner":{"backend":"gemma","candidate":0},
        "candidates":[{"backend":"gemma","candidate":0,"valid":true,"reason":"","gates":[],
          "LR":0.9,"SCR":1.0,"rank_score":0.95,"reward":null,"text":"مرحبا <script>alert(1)</script>"},
         {"backend":"seedx","candidate":0,"valid":true,"reason":"","gates":["untranslated (all)"],
          "LR":0.5,"SCR":0.1,"rank_score":0.3,"reward":null,"text":"Hello"}]},
       {"record_id":"in#2","outcome":"rejected","split":"news","reason":"below threshold: LR 0.41 < 0.6",
        "source":"Bye","candidates":[{"backend":"gemma","candidate":0,"valid":false,
          "reason":"span ⟦2⟧ missing","gates":[],"LR":null,"SCR":null,"rank_score":null,
          "reward":null,"text":""}]}]}
      """;

  static ReportHtml sample() throws Exception {
    JsonNode report = RecordJson.MAPPER.readTree(REPORT);
    TreeMap<Integer, Long> lr = new TreeMap<>(Map.of(17, 1L, 19, 2L));
    TreeMap<Integer, Long> reward = new TreeMap<>(Map.of(-3, 1L, 2, 2L));
    Timeline timeline = new Timeline();
    for (int s = 0; s < 5; s++) {
      timeline.add(s, Map.of(LiveCounts.RECORDS_DECIDED, (long) s, LiveCounts.TOKENS_OUT, 10L * s,
          LiveCounts.backendTokens("gemma", "in"), 100L * s,
          LiveCounts.backendTokens("gemma", "out"), 120L * s));
    }
    return ReportHtml.of(report)
        .withDistributions(List.of(
            new Distributions.Histogram("LR", "news<b>", "gemma", lr),
            new Distributions.Histogram("reward", "news<b>", "gemma", reward)))
        .withSweep("<svg xmlns=\"http://www.w3.org/2000/svg\"><title>sweep</title></svg>")
        .withSample(RecordJson.MAPPER.readTree(SAMPLE))
        .withTimeline(timeline.samples(), Map.of("gemma", new double[] {1.0, 2.0}))
        .withProvenance(Provenance.json("0.1.0", "tarjama translate",
            List.of("--input=in", "--api-key=SECRET123"), Instant.EPOCH, Instant.EPOCH,
            Map.of("gemma", "name=gemma,key-env=GEMMA_KEY")));
  }

  private static int count(String html, String regex) {
    Matcher m = Pattern.compile(regex).matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void everySectionHasItsPlots() throws Exception {
    String html = sample().html();
    // 2 histograms, 1 gate chart, 3 over time (count, tokens, cost): 6 plots + the sweep's svg.
    assertEquals(6, count(html, "<svg class=\"plot\""), html);
    assertEquals(7, count(html, "<svg[ >]"), html);
    assertEquals(count(html, "<svg[ >]"), count(html, "</svg>"));
    for (String id : new String[] {"summary", "distributions", "retention", "gates", "over-time",
        "backends", "samples", "provenance"}) {
      assertTrue(html.contains("<section id=\"" + id + "\">"), id);
    }
    assertTrue(html.contains("0.0012 USD"), "cost where prices are known");
    assertTrue(html.contains("Cost so far"), html);
    assertTrue(html.contains("lost: lower rank_score") || html.contains("failed gates: untranslated (all)"));
    assertTrue(html.contains("failed gates: untranslated (all)"), html);
    assertTrue(html.contains("invalid: span ⟦2⟧ missing"), html);
    assertTrue(html.contains("rejected: below threshold: LR 0.41 &lt; 0.6"), html);
    assertTrue(html.contains("key-env=GEMMA_KEY"), "where a key is may be said");
  }

  @Test
  void recordTextCannotBecomeMarkupAndSecretsNeverAppear() throws Exception {
    String html = sample().html();
    assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"), html);
    assertFalse(html.contains("<img"), html);
    assertFalse(html.contains("news<b>"), "a split name is text too");
    assertTrue(html.contains("مرحبا &lt;script&gt;alert(1)&lt;/script&gt;"), html);
    assertTrue(html.contains("news&lt;b&gt;"), html);
    assertFalse(html.contains("SECRET123"), html);
    assertTrue(html.contains("Content-Security-Policy"), "nothing may load or run");
    assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "")
        .contains("http://"), "no link to fetch");
  }

  @Test
  void stableLeavesOutWhatVariesBetweenRuns() throws Exception {
    String html = sample().html();
    String stable = ReportHtml.stable(html);
    assertFalse(stable.contains("DirectRunner"), stable);
    assertFalse(stable.contains("1970-01-01"), stable);
    assertFalse(stable.contains("Cost so far"), stable);
    assertTrue(stable.contains("Sample records") && stable.contains("LR — news&lt;b&gt;"));
  }

  @Test
  void aRunWithoutLiveCountsOrPricesSaysSo() throws Exception {
    JsonNode report = RecordJson.MAPPER.readTree(REPORT);
    ((com.fasterxml.jackson.databind.node.ObjectNode) report).remove("cost_usd");
    String html = ReportHtml.of(report).html();
    assertTrue(html.contains("No live counts"), html);
    assertTrue(html.contains("no prices given"), html);
    assertTrue(html.contains("No sweep for this run"), html);
    assertTrue(html.contains("No record was ranked"), html);
  }
}
