package dev.tarjama.transforms.translate;

import static dev.tarjama.transforms.testing.PipelineMetrics.backendCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.inference.LetterMapTranslator;
import dev.tarjama.transforms.inference.SharedModels;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.Placeholders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A local backend (a letter-mapping model injected by factory) over GSM8K chunks, k=2. */
@ExtendWith(TestPipelineExtension.class)
class TranslateChunksLocalTest {

  private static List<String> placeholders(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = Placeholders.PATTERN.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }


  /** A word that occurs in exactly one chunk (in one of its sentences). */
  private static String wordOfOneChunk(List<Chunk> chunks) {
    Map<String, Integer> seen = new HashMap<>();
    for (Chunk c : chunks) {
      for (String w : new HashSet<>(Arrays.asList(c.text().split("[^A-Za-z]+")))) {
        if (w.length() >= 7) {
          seen.merge(w, 1, Integer::sum);
        }
      }
    }
    return seen.entrySet().stream()
        .filter(e -> e.getValue() == 1)
        .map(Map.Entry::getKey)
        .sorted()
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aLocalBackendGivesKCandidatesWithPlaceholdersInOrderAndTagsWhatFails(
      TestPipeline pipeline) throws Exception {
    List<Chunk> chunks = TranslateChunksTest.gsm8kChunks(12);
    String poison = wordOfOneChunk(chunks);
    List<Chunk> poisoned = chunks.stream().filter(c -> c.text().contains(poison)).toList();
    assertEquals(1, poisoned.size());
    assertTrue(chunks.stream().filter(c -> placeholders(c.text()).size() >= 2).count() >= 3);
    String model = "letters-" + System.nanoTime();
    BackendSpec local =
        BackendSpec.parse(
            "name=tiny,kind=local,path=" + model + ",decoding=sample,k=2,seed=3,batch-size=4,"
                + "batch-tokens=400,label=SFT_tiny_ranked");

    PCollectionTuple out =
        pipeline
            .apply(Create.of(chunks))
            .apply(
                TranslateChunks.with(local)
                    .withTranslatorFactory(new LetterMapTranslator.Factory(poison)));

    // Chunks are not Serializable (they have a schema coder): the checks capture their texts.
    int chunkCount = chunks.size();
    HashMap<String, String> textByKey = new HashMap<>();
    for (Chunk c : chunks) {
      textByKey.put(c.recordId() + "#" + c.chunkIndex(), c.text());
    }
    PAssert.that(out.get(TranslateChunks.TRANSLATIONS))
        .satisfies(
            all -> {
              Set<String> keys = new HashSet<>();
              Map<String, Long> tokensIn = new HashMap<>();
              for (ChunkTranslation t : all) {
                assertTrue(keys.add(t.candidateKey() + "#" + t.chunkIndex()), "duplicate " + t);
                String text = textByKey.get(t.recordId() + "#" + t.chunkIndex());
                assertEquals("SFT_tiny_ranked", t.backend());
                assertEquals(text, t.source());
                assertEquals("", t.error());
                // Every letter mapped, everything else (placeholders, line breaks, digits,
                // punctuation) where it was: the placeholders come back in their order.
                assertEquals(LetterMapTranslator.map(text, t.candidate()), t.text());
                assertEquals(placeholders(text), placeholders(t.text()));
                assertTrue(t.tokensOut() > 0, t.toString());
                tokensIn.merge(t.recordId() + "#" + t.chunkIndex(), t.tokensIn(), Long::sum);
              }
              assertEquals(2 * (chunkCount - 1), keys.size());
              // The k candidates share the chunk's source tokens: words + 1 per piece sent.
              for (Map.Entry<String, Long> e : tokensIn.entrySet()) {
                List<TranslationUnits.Part> parts = new TranslationUnits().split(textByKey.get(e.getKey()));
                long expected = 0;
                for (String s : TranslationUnits.sources(parts)) {
                  expected += LetterMapTranslator.words(s) + 1;
                }
                assertEquals(expected, e.getValue(), e.getKey());
              }
              return null;
            });
    String badRecord = poisoned.get(0).recordId();
    int badChunk = poisoned.get(0).chunkIndex();
    String badText = poisoned.get(0).text();
    PAssert.that(out.get(TranslateChunks.FAILURES))
        .satisfies(
            all -> {
              List<Integer> candidates = new ArrayList<>();
              for (ChunkTranslation f : all) {
                candidates.add(f.candidate());
                assertEquals(badRecord, f.recordId());
                assertEquals(badChunk, f.chunkIndex());
                assertEquals(badText, f.source());
                assertEquals("SFT_tiny_ranked", f.backend());
                assertEquals(
                    "backend tiny: record " + badRecord + " chunk " + badChunk
                        + ": IllegalArgumentException: cannot translate '" + poison + "'",
                    f.error());
              }
              assertEquals(List.of(0, 1), candidates.stream().sorted().toList());
              return null;
            });

    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    assertEquals(1, LetterMapTranslator.loads(model));
    assertEquals(1, LetterMapTranslator.closes(model));
    assertEquals(0, SharedModels.users(
        LetterMapTranslator.Factory.class.getName() + "|cpu|" + model));
    // The model saw every chunk's pieces in batches of at most 4 pieces and 400 padded tokens.
    for (List<String> batch : LetterMapTranslator.batches(model)) {
      assertTrue(batch.size() <= 4, "model batch of " + batch.size());
      int longest = batch.stream().mapToInt(s -> LetterMapTranslator.words(s) + 1).max().orElse(0);
      assertTrue(batch.size() == 1 || batch.size() * longest <= 400, batch.toString());
    }
    assertEquals(1, backendCounter(result, "SFT_tiny_ranked", "failures"));
    assertTrue(backendCounter(result, "SFT_tiny_ranked", "tokens_in") > 0);
    assertTrue(backendCounter(result, "SFT_tiny_ranked", "tokens_out") > 0);
  }
}
