package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * translate with only corrupt backends: every record is rejected with each candidate's gates, and
 * the report gives the share failing each gate per backend and split with examples; with a
 * faithful backend next to them, it wins.
 */
class QualityGatesCommandTest {
  private static final Map<String, String> ARABIC = Map.of(
      "The meeting starts at 10 and ends at 12.", "يبدأ الاجتماع في 10 وينتهي في 12.",
      "Where did you put the keys?", "أين وضعت المفاتيح؟",
      "We walked along the river until the sun went down.", "مشينا على طول النهر حتى غابت الشمس.");

  private static String[] args(FakeOpenAiServer server, Path input, Path out, String... routes) {
    List<String> a = new java.util.ArrayList<>(List.of("translate", "--input=" + input,
        "--output=" + out, "--cache=none"));
    for (String r : routes) {
      a.add("--backend=name=" + r + ",url=" + server.baseUrl(r) + ",model=m,prompt=hala,k=1");
    }
    return a.toArray(String[]::new);
  }

  @Test
  void corruptOnlyBackendsGetEveryRecordRejectedWithEachCandidatesReasons(@TempDir Path tmp)
      throws Exception {
    Path input = tmp.resolve("in.jsonl");
    List<String> lines = new java.util.ArrayList<>();
    for (String en : ARABIC.keySet()) {
      lines.add("{\"source\":\"news\",\"messages\":[{\"role\":\"user\",\"content\":\"" + en
          + "\"}]}");
    }
    Files.write(input, lines);
    try (FakeOpenAiServer server = FakeOpenAiServer.builder()
        .route("copy", en -> new FakeOpenAiServer.Answer(en, "stop"))
        .route("loop", en -> new FakeOpenAiServer.Answer(
            ARABIC.get(en).substring(0, 8) + "كي".repeat(12), "stop"))
        // Changed numbers; where there are none, a number from nowhere.
        .route("numbers", en -> new FakeOpenAiServer.Answer(en.matches(".*\\d.*")
            ? ARABIC.get(en).replace("10", "11").replace("12", "13")
            : ARABIC.get(en).replace("؟", "") + " 7", "stop"))
        .route("human", en -> new FakeOpenAiServer.Answer(ARABIC.get(en), "stop"))
        .start()) {
      Path out = tmp.resolve("corrupt");
      RunOutputs outputs = JobTest.line(args(server, input, out, "copy", "loop", "numbers"))
          .runOnce();
      JsonNode report = outputs.report();
      assertEquals(3, report.get("counts").get("rejected").asInt(), report.toString());
      for (JsonNode r : outputs.lines("rejected")) {
        String reason = r.get("reason").asText();
        assertTrue(reason.startsWith("every candidate failed a quality gate: "), reason);
        assertTrue(reason.contains("copy/0: ") && reason.contains("untranslated"), reason);
        assertTrue(reason.contains("loop/0: ") && reason.contains("repetition"), reason);
        assertTrue(reason.contains("numbers/0: "), reason);
      }
      JsonNode quality = report.get("quality");
      assertEquals(1.0, quality.at("/by_backend/copy/news/gated_share").asDouble(), 0.0);
      assertEquals(1.0, quality.at("/by_backend/loop/news/failed_share/repetition").asDouble(),
          0.0, quality.toString());
      assertTrue(quality.at("/examples/repetition").size() >= 1, quality.toString());
      assertTrue(report.at("/policy/quality/signals/numbers/mode").asText().equals("gate"));
      String md = Files.readString(out.resolve("report.md"));
      assertTrue(md.contains("## Quality gates"), md);
      // A person reading it sees which backend fails, how often, and what a failure looks like.
      assertTrue(md.contains("- **copy** failed a gate on 100% of its valid candidates (3 of 3;"),
          md);
      assertTrue(md.contains("| loop | news | 3 | 100.0% |"), md);
      JsonNode loopExample = quality.at("/examples/repetition/0");
      assertTrue(loopExample.get("excerpt").asText().contains("كيكي"), loopExample.toString());
      assertTrue(md.contains(", split news: "), md);
      assertTrue(md.contains("كيكيكي"), md);

      Path withHuman = tmp.resolve("human");
      RunOutputs h = JobTest.line(
          args(server, input, withHuman, "copy", "loop", "numbers", "human")).runOnce();
      assertEquals(3, h.report().get("counts").get("chosen").asInt());
      String humanMd = Files.readString(withHuman.resolve("report.md"));
      assertFalse(humanMd.contains("- **human** failed a gate"), humanMd);
      for (JsonNode c : h.lines("chosen")) {
        assertEquals("human", c.get("source").asText());
      }
      // The same run with the gates off: the corrupt candidates may win again.
      Path off = tmp.resolve("off");
      List<String> a = new java.util.ArrayList<>(List.of(args(server, input, off, "copy", "loop",
          "numbers")));
      a.add("--policy=qe=off");
      JobTest.line(a).runOnce();
      assertEquals(3, new RunOutputs(off).report().get("counts").get("chosen").asInt());
    }
  }
}
