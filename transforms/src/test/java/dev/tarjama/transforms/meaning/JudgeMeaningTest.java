package dev.tarjama.transforms.meaning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.JudgeAnswers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality judge's plumbing against a real loopback judge whose answers are scripted: a
 * faithful translation is accepted, an unrelated one and an answer instead of a translation are
 * rejected, a non-verdict is undecided, a failed request is marked failed, what is not worth a
 * call passes unchanged, and a second run over the same cache sends nothing.
 */
class JudgeMeaningTest {
  private static final Map<String, Queue<ChunkTranslation>> OUT = new ConcurrentHashMap<>();

  private static ChunkTranslation t(String record, String backend, String en, String ar) {
    Chunk chunk = new Chunk(record, "s", 0, 0, en, List.of(), List.of(), 4);
    return ChunkTranslation.success(chunk, backend, 0, ar, 3, 4);
  }

  private static List<ChunkTranslation> translations() {
    Chunk symbols = new Chunk("r6", "s", 0, 0, "⟦0⟧ = 42", List.of("$x$"), List.of("math_inline"), 2);
    Chunk cut = new Chunk("r7", "s", 0, 0, "I am hungry.", List.of(), List.of(), 4);
    return List.of(
        t("r1", "good", "I am hungry.", "أنا جائع."),
        t("r1", "unrelated", "I am hungry.", "القطار يغادر في الساعة الخامسة."),
        t("r2", "answered", "Where is the station?", "يمكنك أن تسأل شرطياً عن الطريق."),
        t("r3", "good", "Thank you.", "شكراً."),
        t("r4", "good", "Goodbye.", "وداعاً."),
        ChunkTranslation.failure(cut, "failed", 0, "backend x: HTTP 500"),
        ChunkTranslation.success(symbols, "good", 0, "⟦0⟧ = 42", 1, 1),
        ChunkTranslation.truncated(cut, "cut", 0, "أنا", 1, 1));
  }

  /** record/backend → verdict of one run. */
  private static Map<String, String> run(JudgeMeaning judge) {
    String id = java.util.UUID.randomUUID().toString();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of(translations()).withCoder(new ModelCoders.ChunkTranslationCoder()))
        .apply(judge.withShuffleBuckets(2))
        .apply(ParDo.of(new DoFn<ChunkTranslation, Void>() {
          @ProcessElement
          public void process(@Element ChunkTranslation t) {
            OUT.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).add(t);
          }
        }));
    p.run().waitUntilFinish();
    Map<String, String> verdicts = new TreeMap<>();
    for (ChunkTranslation t : new ArrayList<>(OUT.remove(id))) {
      String before = verdicts.put(t.recordId() + "/" + t.backend(), t.meaning());
      assertEquals(null, before, "one output per input: " + t);
    }
    return verdicts;
  }

  @Test
  void verdictsArriveOnTheirChunksAndASecondRunSendsNothing(@TempDir Path tmp) throws Exception {
    Map<String, Set<String>> references =
        Map.of("I am hungry.", Set.of("أنا جائع."), "Goodbye.", Set.of("وداعاً."));
    try (FakeOpenAiServer server =
        FakeOpenAiServer.builder()
            .judge(JudgeAnswers.of(references)
                .answer("Thank you.", "Probably fine, I think.")
                .fail("Goodbye.", 400))
            .start()) {
      BackendSpec spec =
          BackendSpec.parse("name=judge,url=" + server.baseUrl() + ",model=qwen,temperature=0,retries=1");
      JudgeMeaning judge =
          JudgeMeaning.using(spec).withCache("sqlite:" + tmp.resolve("judgements.db"));
      Map<String, String> expected = new TreeMap<>(Map.of(
          "r1/good", ChunkTranslation.MEANING_ACCEPT,
          "r1/unrelated", ChunkTranslation.MEANING_REJECT,
          "r2/answered", ChunkTranslation.MEANING_REJECT,
          "r3/good", ChunkTranslation.MEANING_UNDECIDED,
          "r4/good", ChunkTranslation.MEANING_FAILED,
          "r7/failed", "",
          "r6/good", "",
          "r7/cut", ""));
      assertEquals(expected, run(judge));
      assertEquals(5, server.requestCount(), "one request per judgeable chunk");

      // The failure was not cached: it alone is asked again (and fails again).
      assertEquals(expected, run(judge));
      assertEquals(6, server.requestCount(), "a warm cache sent more than the failed request");
    }
  }

  @Test
  void theJudgeIsATranslationBackendByNameOrASpecOfItsOwn() {
    List<BackendSpec> backends = List.of(
        BackendSpec.parse("name=gemma,url=http://127.0.0.1:9/v1,model=g,k=3"),
        BackendSpec.parse("name=tiny,kind=local,path=testdata/models/tiny-en-ar-a"));
    BackendSpec byName = JudgeMeaning.judgeBackend("gemma", backends);
    assertEquals("g", byName.config().model());
    assertEquals(1, byName.k(), "one answer per chunk");
    assertEquals("q", JudgeMeaning.judgeBackend("name=qe,url=http://h/v1,model=q", backends)
        .config().model());
    for (String bad : List.of("gemini", "tiny", "name=qe,url=http://h/v1,model=q,k=2")) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> JudgeMeaning.judgeBackend(bad, backends));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("--qe-judge"), e.getMessage());
    }
  }

  @Test
  void aChunkKeyReadsBackFromTheIdItGivesTheJudgesPair() {
    List<JudgeMeaning.ChunkKey> keys = List.of(
        new JudgeMeaning.ChunkKey("r1", 0, "good", 0),
        new JudgeMeaning.ChunkKey("r1", 1, "good", 0),
        new JudgeMeaning.ChunkKey("r1", 0, "good", 1),
        new JudgeMeaning.ChunkKey("r1", 0, "goo", 0),
        new JudgeMeaning.ChunkKey("r1\u00000", 0, "good", 0),
        new JudgeMeaning.ChunkKey("ملف:٣", 12, "seedx", 3));
    Set<String> ids = new java.util.HashSet<>();
    for (JudgeMeaning.ChunkKey k : keys) {
      assertEquals(k, JudgeMeaning.ChunkKey.ofId(k.id()));
      assertEquals(k, JudgeMeaning.ChunkKey.of(
          new ChunkTranslation(k.recordId(), k.chunkIndex(), k.backend(), k.candidate(), "", "", "",
              0, 0)));
      ids.add(k.id());
    }
    assertEquals(keys.size(), ids.size(), "two keys gave one id");
  }
}
