package dev.tarjama.transforms.judge;

import static dev.tarjama.transforms.testing.PipelineMetrics.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.JudgeAnswers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Tatoeba pairs, some deliberately misaligned, judged by a real loopback judge that is always
 * right, except where it is told to answer something else or to fail.
 */
@ExtendWith(TestPipelineExtension.class)
class JudgeParallelPairsTest {
  @Test
  void everyPairEndsInExactlyTheOutputItsAnswerCallsFor(TestPipeline p, @TempDir Path dir)
      throws Exception {
    List<TestCorpora.Pair> pairs = TestCorpora.slice(3000, 60);
    Path tsv = TestCorpora.writeTsv(dir.resolve("slice.tsv"), pairs);
    Map<String, String> answers = new HashMap<>();
    answers.put(pairs.get(0).en(), "Accept.");
    answers.put(pairs.get(1).en(), "I accept this");
    answers.put(pairs.get(2).en(), "**ACCEPT**");
    answers.put(pairs.get(10).en(), "reject");
    answers.put(pairs.get(12).en(), "<think>Same meaning, same tense.</think>\nACCEPT");
    answers.put(pairs.get(20).en(), "Reject.\nReason: the Arabic is another sentence.");
    String failing = pairs.get(30).en();
    JudgeAnswers judgeAnswers =
        JudgeAnswers.of(JudgeAnswers.tatoebaReferences(DataKit.tatoeba())).fail(failing, 400);
    answers.forEach(judgeAnswers::answer);

    // What each line must come to: the judge is right unless told otherwise.
    Set<String> accepted = new java.util.TreeSet<>();
    Set<String> rejected = new java.util.TreeSet<>();
    Set<String> undecided = new java.util.TreeSet<>();
    Set<String> failed = new java.util.TreeSet<>();
    for (int i = 0; i < pairs.size(); i++) {
      TestCorpora.Pair pair = pairs.get(i);
      String id = "slice.tsv:" + (i + 1);
      Verdict verdict = pair.aligned() ? Verdict.ACCEPT : Verdict.REJECT;
      if (pair.en().equals(failing)) {
        failed.add(id);
        continue;
      }
      if (answers.containsKey(pair.en())) {
        verdict = VerdictParser.parse(answers.get(pair.en()));
      }
      (verdict == Verdict.ACCEPT ? accepted : verdict == Verdict.REJECT ? rejected : undecided)
          .add(id);
    }
    assertTrue(rejected.size() >= 8 && undecided.size() >= 3 && accepted.size() >= 40,
        accepted.size() + " / " + rejected.size() + " / " + undecided.size());

    try (FakeOpenAiServer judge = FakeOpenAiServer.builder().judge(judgeAnswers).start()) {
      BackendSpec backend = BackendSpec.parse(
          "name=qwen,url=" + judge.baseUrl() + ",model=qwen-judge,retries=1,concurrency=4");
      PCollectionTuple read = p.apply(ReadParallelPairs.tsv(tsv.toString()));
      PCollectionTuple judged = read.get(ReadParallelPairs.PAIRS)
          .apply(JudgeParallelPairs.using(backend).withShuffleBuckets(4));
      PAssert.that(ids(judged.get(JudgeParallelPairs.ACCEPTED), "a")).containsInAnyOrder(accepted);
      PAssert.that(ids(judged.get(JudgeParallelPairs.REJECTED), "r")).containsInAnyOrder(rejected);
      PAssert.that(ids(judged.get(JudgeParallelPairs.UNDECIDED), "u")).containsInAnyOrder(undecided);
      PAssert.that(judged.get(JudgeParallelPairs.UNDECIDED)).satisfies(all -> {
        for (JudgedPair j : all) {
          // The raw answer is kept as the server sent it.
          assertEquals(answers.get(j.pair().en()), j.answer());
        }
        return null;
      });
      PAssert.that(judged.get(JudgeParallelPairs.DEAD_LETTERS)).satisfies(dead -> {
        List<String> ids = new ArrayList<>();
        for (DeadLetter d : dead) {
          ids.add(d.recordId());
          assertEquals("judge", d.stage());
          assertTrue(d.error().startsWith("backend qwen: model qwen-judge at "), d.error());
          assertTrue(d.error().contains("HTTP 400"), d.error());
          assertTrue(d.original().contains("\"en\":" + new com.fasterxml.jackson.databind
              .ObjectMapper().valueToTree(failing)), d.original());
        }
        assertEquals(new ArrayList<>(failed), ids.stream().sorted().toList());
        return null;
      });
      PipelineResult result = p.run();
      result.waitUntilFinish();
      assertEquals(pairs.size(), judge.requestCount());
      assertEquals(pairs.size(), counter(result, "judge/api_calls"));
      assertEquals(accepted.size(), counter(result, "judge/accepted"));
      assertEquals(undecided.size(), counter(result, "judge/undecided"));
      assertEquals(failed.size(), counter(result, "judge/failures"));
    }
  }

  @Test
  void aJudgeMustBeOneAnswerFromAnApiServer() {
    assertThrows(IllegalArgumentException.class, () -> JudgeParallelPairs.using(
        BackendSpec.parse("name=j,url=http://127.0.0.1:9/v1,model=m,k=2")));
    assertThrows(IllegalArgumentException.class, () -> JudgeParallelPairs.using(
        BackendSpec.parse("name=j,kind=local,path=/nowhere")));
  }

  private static PCollection<String> ids(PCollection<JudgedPair> judged, String name) {
    return judged.apply("Ids" + name,
        MapElements.into(TypeDescriptors.strings()).via((JudgedPair j) -> j.pair().id()));
  }
}
