package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * translate writes report.html beside report.json: every plot section drawn from the run's own
 * summaries, the cost at the priced backend's prices, the sample with chosen and rejected records
 * and their reasons, record and candidate text escaped (a candidate holding a script shows it as
 * text), and the
 * command line without the key.
 */
class ReportHtmlCommandTest {
  static final Map<String, String> ARABIC = Map.of(
      "The meeting starts at 10 and ends at 12.", "يبدأ الاجتماع في 10 وينتهي في 12.",
      "Where did you put the keys?", "أين وضعت المفاتيح؟",
      "We walked along the river until the sun went down.", "مشينا على طول النهر حتى غابت الشمس.");
  /** A record whose text is markup: every backend copies it, so it is rejected and sampled. */
  static final String SCRIPT = "<script>console.error('record text ran')</script> <b>bold</b>";

  static final String INJECTED = "<script>console.error('candidate text ran')</script>";

  /** Runs translate over four records with a priced human-like backend and a copying one. */
  static Path run(Path tmp, FakeOpenAiServer server) throws Exception {
    Path input = tmp.resolve("in.jsonl");
    List<String> lines = new ArrayList<>();
    for (String en : ARABIC.keySet()) {
      lines.add("{\"source\":\"news\",\"messages\":[{\"role\":\"user\",\"content\":\"" + en
          + "\"}]}");
    }
    lines.add("{\"source\":\"news\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + SCRIPT.replace("\"", "\\\"") + "\"}]}");
    Files.write(input, lines);
    Path out = tmp.resolve("out");
    JobTest.line("translate", "--input=" + input,
        "--output=" + out, "--cache=none",
        "--backend=name=human,url=" + server.baseUrl("human") + ",model=m,prompt=hala,k=1,"
            + "price-in=1.5,price-out=6,key-env=PATH",
        "--backend=name=copy,url=" + server.baseUrl("copy") + ",model=m,prompt=hala,k=1").runOnce();
    return out;
  }

  static FakeOpenAiServer server() throws Exception {
    return FakeOpenAiServer.builder()
        // A translator's answer is untrusted text too: this one appends a script.
        .route("copy", en -> new FakeOpenAiServer.Answer(en + " " + INJECTED, "stop"))
        .route("human", en -> new FakeOpenAiServer.Answer(ARABIC.getOrDefault(en, en), "stop"))
        .start();
  }

  static int count(String html, String regex) {
    Matcher m = Pattern.compile(regex).matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void translateWritesASelfContainedReportWithEveryPlotAndTheSample(@TempDir Path tmp)
      throws Exception {
    try (FakeOpenAiServer server = server()) {
      Path out = run(tmp, server);
      String html = Files.readString(out.resolve("report.html"));
      // LR, SCR and rank_score for the one split, one gate chart per backend, the sweep.
      assertTrue(count(html, "<svg class=\"plot\" data-kind=\"histogram\"") >= 3, html);
      assertEquals(2, count(html, "<svg class=\"plot\" data-kind=\"bars\""), html);
      assertTrue(html.contains("Retention vs threshold, per split"), "the sweep, inline");
      assertFalse(html.contains("No sweep for this run"), html);
      // Cost at the priced backend's prices: report.json has it too.
      JsonNodeCheck.priced(new RunOutputs(out).report());
      assertTrue(html.matches("(?s).*<td>0\\.\\d{4} USD</td>.*"), "the cost in the summary");
      // The sample: chosen records with the losing copy, the rejected markup record.
      assertTrue(html.contains("class=\"record chosen\""), html);
      assertTrue(html.contains("class=\"record rejected\""), html);
      assertTrue(html.contains("failed gates: untranslated"), html);
      assertTrue(html.contains("&lt;script&gt;console.error(&#39;candidate text ran&#39;)"),
          () -> "record text shown as text: " + html.substring(html.indexOf("id=\"samples\"")));
      assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"), "and never as markup");
      // The loopback takes any key: PATH's value stands for one and must not appear.
      assertTrue(html.contains("key-env=PATH"), "where the key is may be said");
      assertFalse(html.contains(System.getenv("PATH")), "the key itself never");
      assertTrue(html.contains("tarjama translate --input="), "the command line");
      assertTrue(html.contains("<th>version</th><td>0."), "the version from the build");
    }
  }

  /** report.json's cost fields, where a backend has prices. */
  static final class JsonNodeCheck {
    static void priced(com.fasterxml.jackson.databind.JsonNode report) {
      double human = report.at("/backends/human/cost_usd").asDouble();
      long in = report.at("/backends/human/tokens_in").asLong();
      long outTokens = report.at("/backends/human/tokens_out").asLong();
      assertEquals((in * 1.5 + outTokens * 6) / 1e6, human, 1e-12, report.toString());
      assertFalse(report.at("/backends/copy").has("cost_usd"), "no price, no cost");
      assertEquals(human, report.get("cost_usd").asDouble(), 1e-12);
    }
  }
}
