package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.FakeOpenAiServer.Fault;
import dev.tarjama.models.testing.FakeOpenAiServer.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash the cache is for: {@code tarjama translate} in a JVM of its own, over the data kit's
 * SmolTalk2-shaped sample (350 records), against a loopback translation server whose answers take
 * a while, killed with SIGKILL (no shutdown hook, no flush) once a good part of the chunks were
 * answered; {@code --resume} then finishes the job. Measured from the server's own logs: at most
 * 1% of the chunks whose answer the killed JVM had had time to take in (answered at least {@link
 * #SETTLE} before the kill) are sent again, and the outputs hold every input record exactly once.
 * The strict figure, counting answers written in the last instant before the kill and still on
 * their way into a client on a loaded machine (at most about {@code concurrency} of them), is
 * printed too. Runs in the Maven profile {@code flink-cluster} (two JVMs, a minute or two).
 */
@Tag("flink-cluster")
class CrashResumeTest {
  static final Duration RUN_LIMIT = Duration.ofMinutes(8);
  /** The SmolTalk2-shaped sample and GSM8K's test set, copied side by side into one folder. */
  static final List<String> INPUT =
      List.of("instruct/smoltalk2_style/gsm8k_think.jsonl",
          "instruct/smoltalk2_style/think_tools.jsonl", "instruct/gsm8k/test.jsonl");
  static final int INPUT_RECORDS = 1669;
  /**
   * Kill once this many chunks were answered (the input has about 3,000 distinct chunks): enough
   * that the answers still on their way into the client at the kill (at most about the
   * backend's concurrency) stay under 1% of what the server had answered.
   */
  static final int KILL_AFTER = 1200;
  static final Path LOGS = Path.of("target", "crash-resume");
  /** An answer written this long before the kill has reached the client (and the cache). */
  static final Duration SETTLE = Duration.ofSeconds(1);

  @Test
  void aKilledRunResumesSendingAgainAtMostOnePercentOfWhatWasAnswered(@TempDir Path tmp)
      throws Exception {
    Files.createDirectories(LOGS);
    Path out = tmp.resolve("out");
    Path in = Files.createDirectories(tmp.resolve("in"));
    for (String file : INPUT) {
      Path source = DataKit.data(file);
      Files.copy(source, in.resolve(source.getFileName()));
    }
    String input = in.resolve("*.jsonl").toString();
    // Each answer takes 30 ms: the run lasts long enough to be killed in the middle.
    try (FakeOpenAiServer server = FakeOpenAiServer.builder()
        .alwaysFail(Fault.delay(Duration.ofMillis(30))).start()) {
      List<String> args = List.of("translate", "--input=" + input, "--output=" + out,
          "--tokenizer=" + JobTest.QWEN3, "--progressSeconds=5",
          "--backend=name=gemma,kind=openai-chat,url=" + server.baseUrl()
              + ",model=gemma-3-27b,prompt=hala,k=1,concurrency=8,label=SFT_Gemma3_ranked");

      Process first = tarjama(args, LOGS.resolve("first.log"));
      long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
      // (time, answers so far): the answers are logged in order, so a count is a prefix.
      List<long[]> progress = new ArrayList<>();
      while (server.answeredRequests().size() < KILL_AFTER && first.isAlive()
          && System.nanoTime() < deadline) {
        progress.add(new long[] {System.nanoTime(), server.answeredRequests().size()});
        Thread.sleep(5);
      }
      assertTrue(first.isAlive(), "the run ended before it could be killed: " + tail("first.log"));
      // What was answered before the kill (a response written after this instant may not have
      // arrived, so it is not counted as done, nor as re-sent).
      List<Integer> answeredInOrder = server.answeredRequests();
      long killedAt = System.nanoTime();
      first.destroyForcibly(); // SIGKILL
      Set<Integer> answered = new HashSet<>(answeredInOrder);
      int settledCount = 0;
      for (long[] p : progress) {
        if (p[0] <= killedAt - SETTLE.toNanos()) {
          settledCount = (int) p[1];
        }
      }
      Set<Integer> settled = new HashSet<>(answeredInOrder.subList(0, settledCount));
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));
      assertEquals(137, first.exitValue(), "killed by SIGKILL");
      int sentBeforeKill = server.requestCount();
      assertTrue(Files.exists(out.resolve(RunDirectory.UNFINISHED)));
      assertFalse(Files.exists(out.resolve("report.json")), "the killed run had finished");

      // Without --resume the unfinished output is refused.
      JobTest.line(args).exits(2).runOnce();

      List<String> resume = new ArrayList<>(args);
      resume.add("--resume");
      Process second = tarjama(resume, LOGS.resolve("second.log"));
      assertTrue(second.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS),
          "the resumed run did not finish: " + tail("second.log"));
      assertEquals(0, second.exitValue(), tail("second.log"));

      Map<Integer, String> prompts = new HashMap<>();
      for (RecordedRequest r : server.requests()) {
        prompts.put(r.number(), prompt(r));
      }
      Set<String> done = new HashSet<>();
      answered.forEach(n -> done.add(prompts.get(n)));
      Set<String> settledDone = new HashSet<>();
      settled.forEach(n -> settledDone.add(prompts.get(n)));
      Set<String> sentAgain = new HashSet<>();
      int resumedRequests = 0;
      for (Map.Entry<Integer, String> e : prompts.entrySet()) {
        if (e.getKey() > sentBeforeKill) {
          resumedRequests++;
          if (done.contains(e.getValue())) {
            sentAgain.add(e.getValue());
          }
        }
      }
      Set<String> settledAgain = new HashSet<>(sentAgain);
      settledAgain.retainAll(settledDone);
      double fraction = (double) settledAgain.size() / settledDone.size();
      System.err.printf(Locale.ROOT, "crash-resume: %d chunks answered before the kill (%d of "
              + "them %s before it), %d requests sent by then, %d sent by the resumed run; sent "
              + "again: %d of the %d settled (%.2f%%), %d of all %d answered (%.2f%%)%n",
          done.size(), settledDone.size(), SETTLE, sentBeforeKill, resumedRequests,
          settledAgain.size(), settledDone.size(), 100 * fraction, sentAgain.size(), done.size(),
          100.0 * sentAgain.size() / done.size());
      assertTrue(settledDone.size() >= KILL_AFTER / 2, "settled before the kill: "
          + settledDone.size());
      assertTrue(fraction <= 0.01,
          "sent again: " + settledAgain.size() + " of " + settledDone.size());
      // The measure: every chunk the server's own log shows answered before the kill.
      assertTrue(sentAgain.size() <= 0.01 * done.size(),
          "sent again: " + sentAgain.size() + " of all " + done.size() + " answered");

      RunOutputs outputs = new RunOutputs(out);
      JsonNode counts = outputs.report().get("counts");
      assertEquals(INPUT_RECORDS, counts.get("input").asInt());
      assertEquals(INPUT_RECORDS, ResumeTest.recordIdsOnce(outputs).size());
      assertEquals(INPUT_RECORDS, counts.get("chosen").asInt() + counts.get("rejected").asInt()
          + counts.get("dead_letter").asInt());
      assertTrue(outputs.report().get("savings").get("resumed").asBoolean());
      assertTrue(outputs.report().get("backends").get("SFT_Gemma3_ranked").get("cache_hits")
          .asLong() >= done.size() - sentAgain.size());
      assertFalse(Files.exists(out.resolve(RunDirectory.UNFINISHED)));
    }
  }

  /** {@code tarjama} in a JVM of its own; the classpath goes through CLASSPATH (BUILD-NOTES). */
  private static Process tarjama(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1500m",
        "-Dai.djl.offline=true", Tarjama.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    return builder.start();
  }

  private static String prompt(RecordedRequest r) {
    try {
      JsonNode messages = new ObjectMapper().readTree(r.body()).get("messages");
      return messages.get(messages.size() - 1).get("content").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(String log) {
    try {
      List<String> lines = Files.readAllLines(LOGS.resolve(log), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
