package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.judge.TestCorpora;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end runner matrix: every scenario (a whole {@code tarjama} command over real
 * data-kit inputs, against real loopback servers and the bundled tiny models) runs on the
 * DirectRunner, on Flink's embedded cluster ({@code [local]}, parallelism 2) and on a real Flink
 * cluster on loopback ({@link LoopbackFlinkCluster}: a JobManager and a TaskManager in processes
 * of their own, started once for the whole matrix), and each Flink run's outputs must equal the
 * DirectRunner's (see {@link JobTest} for what "equal" means exactly). Every scenario's
 * expectations hold on every runner.
 *
 * <p><b>Adding a feature to the matrix</b> is adding one scenario to {@link #scenarios()}: either
 * give the translate scenario your option (its {@code args}) and name your output folder in its
 * {@code sameOnEveryRunner}, or add a new {@link JobTest}:
 *
 * <pre>{@code
 * JobTest.command("translate", "translate: my feature")
 *     .cached()                                   // the command has --cache (translate, judge)
 *     .inputs(in -> JobTest.copyHead(in, "instruct/gsm8k/test.jsonl", 8))
 *     .args(run -> List.of("--input=" + run.input() + "/*", "--output=" + run.output(),
 *         run.servers().chatBackend(), "--my-option=…"))
 *     .sameOnEveryRunner("chosen", "my_folder")
 *     .sameJson("report.json", TRANSLATE_REPORT_VARIES)
 *     .expect(out -> assertTrue(out.report().at("/my_section/count").asLong() > 0))
 * }</pre>
 *
 * A server the scenario needs that {@link MatrixServers} lacks is one more lazily started field
 * there. While working on one, run only it: {@code mvn -B -q -o -pl pipelines -am test -P
 * flink-cluster -Dtest=RunnerMatrixTest -Dtarjama.matrix='my feature'} (a part of its name). Keep inputs to a few records per format: the matrix runs every scenario three times,
 * and it must stay within minutes on 2 cores.
 *
 * <p>In the Maven profile {@code flink-cluster} (CI runs it); {@link FlinkRunnerTest} is the quick
 * Flink guard of the default suite.
 */
@Tag("flink-cluster")
class RunnerMatrixTest {
  static final Path TESTDATA = Path.of(System.getProperty("tarjama.testdata"));
  static final String TINY_REWARD = TESTDATA.resolve("models/tiny-reward").toString();
  static final String TINY_A = TESTDATA.resolve("models/tiny-en-ar-a").toString();

  /** What a translate report may show differently per runner: the clock, where and how it ran,
   *  and the cache's address (each run has its own). */
  static final String[] TRANSLATE_REPORT_VARIES =
      {"/wall_time_s", "/output", "/runner", "/savings/cache"};

  /**
   * As {@link #TRANSLATE_REPORT_VARIES}, and where each backend's duplicates were counted: no
   * grouping precedes the calls, so a duplicate is a dedupe copy (its twin's request was in
   * flight) or a cache hit (already answered) as timing has it. Their sum, the tokens saved, and
   * every output stay compared.
   */
  /** A backend's report fields that split its duplicates between the cache and dedupe. */
  static final List<String> SAVINGS_SPLIT = List.of(
      "cache_hits", "cache_misses", "tokens_saved", "dedupe_copies", "dedupe_tokens_saved");

  static String[] translateReportVaries(String... labels) {
    List<String> pointers = new java.util.ArrayList<>(List.of(TRANSLATE_REPORT_VARIES));
    for (String label : labels) {
      for (String metric : SAVINGS_SPLIT) {
        pointers.add("/backends/" + label + "/" + metric);
      }
    }
    return pointers.toArray(String[]::new);
  }

  /**
   * The same, in the report's raw {@code metrics}: each backend's cache and dedupe counters
   * ({@code translate/LABEL/cache_hits} …), whose split is timing as above.
   */
  static final String[] BACKEND_SAVINGS_METRICS =
      {"translate/[^/]+/(cache_hits|cache_misses|tokens_saved|dedupe_copies|dedupe_tokens_saved)"};

  static MatrixServers servers;
  static LoopbackFlinkCluster cluster;
  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    servers = new MatrixServers();
    cluster = LoopbackFlinkCluster.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (servers != null) {
      servers.close();
    }
  }

  /** The scenarios: add yours here (see the class comment). */
  static List<JobTest> scenarios() {
    return List.of(translateEveryFormat(), translateQualityGatesAndJudge(),
        translateThroughABatchApi(), judgeTsv(), evaluateFileLocalAndApi());
  }

  /** The runners; the DirectRunner first: its outputs are what the others must equal. */
  enum Runner {
    DIRECT("DirectRunner"),
    FLINK_EMBEDDED("FlinkRunner [local], parallelism 2"),
    FLINK_CLUSTER("FlinkRunner on a loopback cluster, parallelism 2");

    final String title;

    Runner(String title) {
      this.title = title;
    }

    List<String> options(JobTest scenario) throws Exception {
      return switch (this) {
        case DIRECT -> List.of();
        case FLINK_EMBEDDED ->
            List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
        case FLINK_CLUSTER -> {
          List<String> options = new ArrayList<>(cluster.submitOptions());
          // The TaskManager runs on this host: the output folder is shared, as a network file
          // system would be on a real cluster.
          options.add("--sharedOutput");
          if (scenario.isCached()) {
            options.add(servers.freshRedisCache());
          }
          yield options;
        }
      };
    }
  }

  @TestFactory
  Stream<DynamicContainer> everyScenarioOnEveryRunner() {
    // -Dtarjama.matrix=judge runs only the scenarios whose name contains "judge".
    String only = System.getProperty("tarjama.matrix", "");
    return scenarios().stream().filter(s -> s.name.contains(only)).map(scenario -> {
      Map<Runner, RunOutputs> done = new HashMap<>();
      Path dir = tmp.resolve("scenario-" + Integer.toHexString(scenario.name.hashCode()));
      List<DynamicTest> runs = new ArrayList<>();
      for (Runner runner : Runner.values()) {
        runs.add(dynamicTest(runner.title, () -> {
          if (runner == Runner.DIRECT) {
            scenario.writeInputs(dir.resolve("in"));
          } else {
            assertNotNull(done.get(Runner.DIRECT), "no DirectRunner run to compare with");
          }
          int finishedBefore = runner == Runner.FLINK_CLUSTER ? cluster.finishedJobs() : 0;
          JobTest.Run run = new JobTest.Run(
              dir.resolve("in"), dir.resolve(runner.name().toLowerCase()), servers);
          RunOutputs outputs;
          try {
            outputs = scenario.run(run, runner.options(scenario));
          } catch (Throwable e) {
            if (runner == Runner.FLINK_CLUSTER) {
              cluster.printLogTails();
            }
            throw e;
          }
          done.put(runner, outputs);
          if (runner != Runner.DIRECT) {
            scenario.assertSameOutputs(done.get(Runner.DIRECT), outputs);
          }
          if (runner == Runner.FLINK_CLUSTER) {
            assertTrue(cluster.finishedJobs() > finishedBefore,
                "the cluster finished no job: the pipeline ran elsewhere");
          }
        }));
      }
      return dynamicContainer(scenario.name, runs);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Scenarios

  /** Unreadable: one line that is not JSON (a dead letter); the policy rejects one split. */
  static final String BROKEN_LINE = "{\"messages\": [\n";

  /**
   * translate over every format of the data kit, a few records each, with duplicate chunks (the
   * tool-calling records share their system prompt, and one GSM8K record is there twice), both
   * loopback translators, the tiny reward model, {@code --emit=bilingual}, source selection (a
   * quota on one split) and a policy that rejects one split.
   */
  static JobTest translateEveryFormat() {
    int[] expectedInput = new int[1];
    return JobTest.command("translate", "translate: every data-kit format, reward, bilingual, selection")
        .cached()
        .inputs(in -> {
          int n = 0;
          n += JobTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl", 4);
          n += JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 4);
          n += JobTest.copyHead(in, "instruct/llamafactory/reason_tool_use_demo_50.jsonl", 3);
          n += JobTest.copyHead(in, "instruct/llamafactory/dpo_en_demo.json", 3);
          n += JobTest.copyHead(in, "instruct/llamafactory/alpaca_en_demo.json", 6);
          n += JobTest.copyHead(in, "instruct/alpaca_seed/seed_tasks.jsonl", 3);
          n += JobTest.copyHead(in, "instruct/bfcl/BFCL_v4_live_simple.json", 3);
          n += JobTest.copyHead(in, "instruct/gsm8k/test.jsonl", 4);
          Path gsm8k = in.resolve("gsm8k/test.jsonl");
          Files.writeString(gsm8k, Files.readAllLines(gsm8k).get(0) + "\n", StandardOpenOption.APPEND);
          Files.writeString(in.resolve("smoltalk2_style/gsm8k_think.jsonl"), BROKEN_LINE,
              StandardOpenOption.APPEND);
          expectedInput[0] = n + 2;
        })
        .args(run -> List.of(
            "--input=" + run.input() + "/*/*",
            "--output=" + run.output(),
            "--tokenizer=" + JobTest.QWEN3,
            run.servers().chatBackend(),
            run.servers().completionsBackend(),
            "--reward-model=" + TINY_REWARD,
            "--emit=bilingual",
            "--quota=alpaca_en_demo=3",
            "--policy=gsm8k_think:min-lr=1.0",
            "--progressSeconds=0"))
        .sameOnEveryRunner("chosen", "candidates", "rejected", "dead_letter", "preferences",
            "reward_failures", "bilingual", "translator_training")
        .sameJson("report.json", translateReportVaries("SFT_Gemma3_ranked", "SFT_SeedX_ranked"))
        .metricsVary(BACKEND_SAVINGS_METRICS)
        .sameHtml("report.html")
        .expect(out -> {
          JsonNode report = out.report();
          JsonNode counts = report.get("counts");
          assertEquals(expectedInput[0], counts.get("input").asInt(), counts.toString());
          assertEquals(counts.get("input").asLong(), counts.get("chosen").asLong()
              + counts.get("rejected").asLong() + counts.get("dead_letter").asLong()
              + counts.get("not_selected").asLong(), counts.toString());
          assertEquals(3, counts.get("not_selected").asInt(), "the quota keeps 3 of 6");
          assertEquals(1, counts.get("dead_letter").asInt(), counts.toString());
          assertTrue(counts.get("rejected").asInt() > 0, counts.toString());
          assertEquals(counts.get("rejected").asInt(),
              report.at("/splits/gsm8k_think/rejected").asInt(), "the policy rejects gsm8k_think");
          assertTrue(report.at("/savings/duplicate_chunks").asLong() > 0,
              "the input repeats chunks: " + report.get("savings"));
          for (JsonNode c : out.lines("candidates")) {
            assertEquals(c.get("valid").asBoolean(), c.get("reward").isNumber(), c.toString());
          }
          assertFalse(out.lines("preferences").isEmpty(), "no preference pair");
          assertTrue(report.at("/bilingual/tuples").asLong() > 0, report.get("bilingual").toString());
          assertEquals(report.at("/bilingual/tuples").asInt(), out.lines("bilingual").size());
        });
  }

  /**
   * translate with a batch-API backend beside a live one: the launcher's batch phase (a first
   * pass for the texts the cache misses, upload, batches, download into the cache), then the run
   * serving the batch backend from the cache, on every runner.
   */
  static JobTest translateThroughABatchApi() {
    int[] expectedInput = new int[1];
    return JobTest.command("translate", "translate: a batch API beside a live backend")
        .cached()
        .inputs(in -> {
          int n = 0;
          n += JobTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl", 3);
          n += JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 3);
          n += JobTest.copyHead(in, "instruct/llamafactory/alpaca_en_demo.json", 3);
          expectedInput[0] = n;
        })
        .args(run -> List.of(
            "--input=" + run.input() + "/*/*",
            "--output=" + run.output(),
            "--tokenizer=" + JobTest.QWEN3,
            run.servers().batchBackend(),
            run.servers().completionsBackend(),
            "--batchPollSeconds=0.001",
            "--progressSeconds=0"))
        .sameOnEveryRunner("chosen", "candidates", "rejected", "dead_letter")
        .sameJson("report.json", translateReportVaries("SFT_Gemma3_batch", "SFT_SeedX_ranked"))
        .metricsVary(BACKEND_SAVINGS_METRICS)
        .expect(out -> {
          JsonNode report = out.report();
          JsonNode counts = report.get("counts");
          assertEquals(expectedInput[0], counts.get("input").asInt(), counts.toString());
          assertEquals(counts.get("input").asLong(), counts.get("chosen").asLong()
              + counts.get("rejected").asLong() + counts.get("dead_letter").asLong(),
              counts.toString());
          JsonNode batches = report.at("/batches/SFT_Gemma3_batch");
          assertTrue(batches.path("completed").asLong() > 0, report.path("batches").toString());
          assertEquals(batches.path("submitted").asLong(), batches.path("completed").asLong(),
              "every line answered: " + batches);
          assertTrue(out.lines("candidates").stream()
              .anyMatch(c -> c.path("backend").asText().equals("SFT_Gemma3_batch")
                  && c.path("valid").asBoolean()), "no valid candidate from the batch backend");
        });
  }

  /** Plain one-sentence prompts for the quality scenario; the last one is the judge's "unrelated". */
  static final List<String> QUALITY_SENTENCES = List.of(
      "The library closes at six in the evening on weekdays.",
      "My brother works at a hospital near the river.",
      "Where did you put the keys that I gave you yesterday?",
      "She has been learning to play the piano for three years.",
      "We walked along the beach until the sun went down.",
      "Please call me when you arrive at the station.");

  /**
   * translate with the quality stage at work on every runner: the good chat translator, a
   * translator that loops (every candidate fails the {@code repetition} gate) and {@code
   * --qe-judge} with scripted verdicts that accept every answer except the good translator's for
   * the last sentence (its {@code meaning} check). Five records are chosen from the good
   * translator; the last is rejected with both candidates' reasons, gate and judge.
   */
  static JobTest translateQualityGatesAndJudge() {
    java.util.Map<String, java.util.Set<String>> faithful = new HashMap<>();
    for (int i = 0; i < QUALITY_SENTENCES.size(); i++) {
      String en = QUALITY_SENTENCES.get(i);
      java.util.Set<String> accepted = new java.util.HashSet<>();
      accepted.add(MatrixServers.looped(en));
      if (i < QUALITY_SENTENCES.size() - 1) {
        accepted.add(TranslatorAnswers.translate(en, 0));
      }
      faithful.put(en, accepted);
    }
    String unrelated = "q" + (QUALITY_SENTENCES.size() - 1);
    return JobTest.command("translate", "translate: quality gates and the qe-judge")
        .cached()
        .inputs(in -> {
          List<String> lines = new ArrayList<>();
          for (int i = 0; i < QUALITY_SENTENCES.size(); i++) {
            com.fasterxml.jackson.databind.node.ObjectNode record =
                dev.tarjama.transforms.io.RecordJson.MAPPER.createObjectNode().put("id", "q" + i);
            record.putArray("messages").addObject().put("role", "user")
                .put("content", QUALITY_SENTENCES.get(i));
            lines.add(record.toString());
          }
          Files.createDirectories(in.resolve("quality"));
          Files.write(in.resolve("quality/sentences.jsonl"), lines);
        })
        .args(run -> List.of(
            "--input=" + run.input() + "/quality/*.jsonl",
            "--output=" + run.output(),
            "--id-field=id",
            run.servers().chatBackend(),
            run.servers().loopingBackend(),
            run.servers().qeJudge(faithful),
            "--progressSeconds=0"))
        .sameOnEveryRunner("chosen", "candidates", "rejected", "dead_letter")
        // The sentences repeat: where a duplicate is counted (cache hit or dedupe copy) is timing.
        .sameJson("report.json", translateReportVaries("SFT_Gemma3_ranked", "looper"))
        .metricsVary(BACKEND_SAVINGS_METRICS)
        .expect(out -> {
          JsonNode counts = out.report().get("counts");
          int n = QUALITY_SENTENCES.size();
          assertEquals(n, counts.get("input").asInt(), counts.toString());
          assertEquals(n - 1, counts.get("chosen").asInt(), counts.toString());
          assertEquals(1, counts.get("rejected").asInt(), counts.toString());
          for (JsonNode chosen : out.lines("chosen")) {
            assertEquals("SFT_Gemma3_ranked", chosen.get("source").asText(), chosen.toString());
          }
          List<JsonNode> rejected = out.lines("rejected");
          assertEquals(1, rejected.size());
          JsonNode r = rejected.get(0);
          String reason = r.get("reason").asText();
          assertTrue(r.get("record_id").asText().contains(unrelated), r.toString());
          assertTrue(reason.startsWith("every candidate failed a quality gate: "), reason);
          assertTrue(reason.contains("looper/0: repetition"), reason);
          assertTrue(reason.contains("SFT_Gemma3_ranked/0: meaning"), reason);
          // Every looping candidate is measured and gated; the good translator's pass.
          int looperGated = 0;
          for (JsonNode split : out.report().at("/quality/by_backend/looper")) {
            assertEquals(split.get("measured").asInt(), split.get("gated").asInt(), split.toString());
            assertTrue(split.at("/failed/repetition").asInt() > 0, split.toString());
            looperGated += split.get("gated").asInt();
          }
          assertEquals(n, looperGated, out.report().get("quality").toString());
          JsonNode good = out.report().at("/quality/by_backend/SFT_Gemma3_ranked");
          assertTrue(good.size() > 0, out.report().get("quality").toString());
          for (JsonNode split : good) {
            assertEquals(0, split.get("gated").asInt(), split.toString());
          }
        });
  }

  /** judge over a Tatoeba TSV slice, some pairs misaligned on purpose, and one line without its
   *  Arabic side (a dead letter). */
  static JobTest judgeTsv() {
    return JobTest.command("judge", "judge: a TSV corpus")
        .cached()
        .inputs(in -> {
          TestCorpora.writeTsv(in.resolve("pairs.tsv"), TestCorpora.slice(9000, 24));
          Files.writeString(in.resolve("pairs.tsv"), "Only the English side\n",
              StandardOpenOption.APPEND);
        })
        .args(run -> List.of(
            "--input=" + run.input().resolve("pairs.tsv"),
            "--output=" + run.output(),
            run.servers().judgeBackend()))
        .sameOnEveryRunner("accepted", "rejected", "undecided", "dead_letter")
        .sameJson("report.json", "/wall_time_s", "/output", "/runner")
        .expect(out -> {
          JsonNode counts = out.report().get("counts");
          assertEquals(25, counts.get("input").asInt(), counts.toString());
          assertEquals(1, counts.get("dead_letter").asInt(), counts.toString());
          assertTrue(counts.get("accepted").asInt() > 0 && counts.get("rejected").asInt() > 0,
              counts.toString());
        });
  }

  /** evaluate over XQuAD segments: a file system (the references: 100), the tiny model A
   *  in-process (RunInference), and the chat translator over its API. */
  static JobTest evaluateFileLocalAndApi() {
    return JobTest.command("evaluate", "evaluate: a file, a local model and an API translator")
        .inputs(in -> {
          Files.write(in.resolve("xquad.en.txt"),
              Files.readAllLines(TESTDATA.resolve("eval/xquad_en_ar.en.txt")).subList(0, 12));
          Files.write(in.resolve("xquad.ar.txt"),
              Files.readAllLines(TESTDATA.resolve("eval/xquad_en_ar.ar.txt")).subList(0, 12));
        })
        .args(run -> List.of(
            "--sources=" + run.input().resolve("xquad.en.txt"),
            "--references=" + run.input().resolve("xquad.ar.txt"),
            "--system=human=" + run.input().resolve("xquad.ar.txt"),
            "--system=tiny-a=kind=local,path=" + TINY_A,
            "--system=gemma=name=gemma,kind=openai-chat,url="
                + run.servers().chatUrl() + ",model=gemma-3-27b,prompt=hala",
            "--output=" + run.output()))
        .sameOnEveryRunner("dead_letter")
        .sameJson("scores.json")
        .sameText("translations/tiny-a.txt", "translations/gemma.txt")
        .expect(out -> {
          JsonNode scores = RunOutputs.json(out.dir.resolve("scores.json"));
          assertEquals(100.0, scores.at("/human/bleu").asDouble(), 1e-9);
          assertEquals(12, scores.at("/tiny-a/segments").asInt());
          assertEquals(0, scores.at("/gemma/failed").asInt());
        });
  }
}
