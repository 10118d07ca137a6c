package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-cost} across {@code --resume}: what the killed run paid counts against the resumed
 * run's budget (OUT/_spend/ledger.jsonl), measured on the loopback server's own tally of the
 * usage it billed; a new run into the same output starts from nothing.
 */
class ResumeBudgetTest {
  private static final long BUDGET = 600;

  /** One token costs one US dollar, so that spend in USD is the server's token count. */
  private static String[] args(FakeOpenAiServer server, Path in, Path out, String... extra) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
        "translate", "--input=" + in + "/*/*", "--output=" + out, "--progressSeconds=0",
        "--max-cost=" + BUDGET,
        "--backend=name=gemma,kind=openai-chat,url=" + server.baseUrl()
            + ",model=g,prompt=hala,k=1,concurrency=2,price-in=1000000,price-out=1000000"));
    args.addAll(java.util.List.of(extra));
    return args.toArray(String[]::new);
  }

  private static long billed(FakeOpenAiServer server) {
    FakeOpenAiServer.Meter m = server.meter();
    return m.tokensIn() + m.tokensOut();
  }

  @Test
  void aResumedRunCountsWhatTheKilledRunSpent(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 12);
    Path out = tmp.resolve("out");
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      JobTest.line(args(server, in, out)).runOnce();
      JsonNode budget = new RunOutputs(out).report().get("budget");
      assertTrue(budget.get("stopped").asBoolean(), budget.toString());
      long paid = billed(server);
      assertTrue(paid >= BUDGET / 2, "paid " + paid);
      assertEquals(paid, budget.get("spent_usd").asDouble(), 1e-6);
      assertEquals(paid, budget.get("spent_tokens").asLong());
      assertTrue(Files.exists(out.resolve("_spend/ledger.jsonl")));

      // The run is killed right there (its marker stays), and resumed with the same budget.
      new RunDirectory(out + "/").markStarted(in + "/*/*", false);
      JobTest.line(args(server, in, out, "--resume")).runOnce();
      // The resumed run may spend only what the budget has left (what in-flight estimates held
      // back at the stop), plus what its own last requests cost over their estimate.
      long resumedPaid = billed(server) - paid;
      assertTrue(resumedPaid <= BUDGET - paid + 250,
          "the resumed run spent " + resumedPaid + " after " + paid + " of " + BUDGET);
      JsonNode resumed = new RunOutputs(out).report().get("budget");
      assertTrue(resumed.get("stopped").asBoolean(), resumed.toString());
      assertEquals(billed(server), resumed.get("spent_usd").asDouble(), 1e-6);
      int requests = server.requestCount();
      long both = billed(server);

      // A new run (no --resume) has a budget of its own: it pays for more chunks.
      JobTest.line(args(server, in, out)).runOnce();
      assertTrue(server.requestCount() > requests, "a new run started from the old spend");
      JsonNode fresh = new RunOutputs(out).report().get("budget");
      assertEquals(billed(server) - both, fresh.get("spent_usd").asDouble(), 1e-6);
    }
  }
}
