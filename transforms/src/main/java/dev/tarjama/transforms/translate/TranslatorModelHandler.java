package dev.tarjama.transforms.translate;

import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import dev.tarjama.transforms.backend.CompletionCandidates;
import dev.tarjama.transforms.backend.LocalModelConfig;
import dev.tarjama.transforms.inference.Batching;
import dev.tarjama.transforms.inference.ModelHandler;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.translate.TranslationUnits.Part;
import dev.tarjama.transforms.report.LiveCounts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;

/**
 * Runs a local {@link Translator} on batches of chunks for {@link TranslateChunks}: each chunk
 * becomes its k candidates ({@link ChunkTranslation}s, candidate indexes 0…k-1, {@code backend} =
 * the label).
 *
 * <p>A chunk is not given to the model whole: {@link TranslationUnits} cuts it into sentences and
 * the prose between placeholders; every such piece of every chunk of the batch is translated in
 * one pass (sorted by length and cut into model batches of at most the backend's batch size and
 * batch tokens, padded length × count, so that one long sentence does not pad the others), and the
 * chunk is put back together with its placeholders, line breaks and markers verbatim. Token counts
 * are the model's: {@code tokensOut} is what the candidate's pieces generated, {@code tokensIn} the
 * source tokens encoded, spread over the k candidates so that their sum is the chunk's source
 * tokens. A chunk without prose is its own translation, with no tokens.
 *
 * <p>A candidate with a piece where the model ran into its length limit (no {@code </s>}: {@link
 * Translation#truncated}) is {@link ChunkTranslation#truncated() marked}: reassembly fails it with
 * the reason {@code truncated}. It is not retried with more room: the limit already grows with the
 * source ({@code max-length-ratio} × source tokens + slack), so a model that runs into it is
 * looping, not short of room.
 *
 * <p>The model is loaded once per JVM per (factory, provider, path), whatever the decoding: two
 * backends that sample the same model share it.
 */
public final class TranslatorModelHandler
    extends ModelHandler<Chunk, List<ChunkTranslation>, Translator> {
  private static final long serialVersionUID = 1L;

  private final String backendName;
  private final String label;
  private final LocalModelConfig local;
  private final TranslatorFactory factory;

  public TranslatorModelHandler(
      String backendName, String label, LocalModelConfig local, TranslatorFactory factory) {
    this.backendName = backendName;
    this.label = label;
    this.local = local;
    this.factory = factory;
  }

  public LocalModelConfig local() {
    return local;
  }

  @Override
  public String modelKey() {
    return factory.getClass().getName() + "|" + local.provider().cliName() + "|" + local.path();
  }

  @Override
  protected Translator loadModel() throws Exception {
    return factory.open(local.path(), local.provider());
  }

  @Override
  public long weigh(Chunk chunk) {
    return Math.max(1, chunk.tokens());
  }

  @Override
  public Batching batching() {
    return local.batching();
  }

  @Override
  public String describe(Chunk chunk) {
    return "backend " + backendName + ": record " + chunk.recordId() + " chunk " + chunk.chunkIndex();
  }

  @Override
  public Coder<List<ChunkTranslation>> outputCoder(Pipeline pipeline) {
    return ListCoder.of(new ModelCoders.ChunkTranslationCoder());
  }

  @Override
  public List<List<ChunkTranslation>> run(Translator translator, List<Chunk> chunks) {
    TranslationUnits units = new TranslationUnits();
    List<List<Part>> parts = new ArrayList<>(chunks.size());
    List<String> sources = new ArrayList<>();
    for (Chunk chunk : chunks) {
      List<Part> p = units.split(chunk.text());
      parts.add(p);
      sources.addAll(TranslationUnits.sources(p));
    }
    List<List<Translation>> translated = translateAll(translator, sources);
    int k = local.decoding().candidates();
    List<List<ChunkTranslation>> out = new ArrayList<>(chunks.size());
    int next = 0;
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      int n = TranslationUnits.sources(parts.get(c)).size();
      List<List<Translation>> mine = translated.subList(next, next + n);
      next += n;
      long sourceTokens = 0;
      for (List<Translation> candidates : mine) {
        sourceTokens += candidates.get(0).sourceTokens();
      }
      long[] even = new long[k];
      Arrays.fill(even, 1);
      long[] tokensIn = CompletionCandidates.apportion(sourceTokens, even);
      List<ChunkTranslation> candidates = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        List<String> texts = new ArrayList<>(n);
        long tokensOut = 0;
        boolean cut = false;
        for (List<Translation> piece : mine) {
          texts.add(piece.get(i).text());
          tokensOut += piece.get(i).targetTokens();
          cut |= piece.get(i).truncated();
        }
        String text = TranslationUnits.join(parts.get(c), texts);
        // A local model's length limit follows the source: no retry with more room, the mark.
        candidates.add(
            cut
                ? ChunkTranslation.truncated(chunk, label, i, text, tokensIn[i], tokensOut)
                : ChunkTranslation.success(chunk, label, i, text, tokensIn[i], tokensOut));
      }
      out.add(candidates);
      // The progress line's counts as the model hands the batch back: downstream of
      // RunInference, a runner may hold the outputs until the whole bundle is done.
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
      candidates.forEach(t -> LiveCounts.add(LiveCounts.TOKENS_OUT, t.tokensOut()));
    }
    return out;
  }

  /**
   * Translates {@code sources} shortest first, in model batches of at most the backend's batch size
   * and batch tokens (count × the longest's tokens), and returns the candidates in source order.
   */
  private List<List<Translation>> translateAll(Translator translator, List<String> sources) {
    Decoding decoding = local.decoding();
    Batching batching = local.batching();
    int n = sources.size();
    int[] tokens = new int[n];
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      tokens[i] = Math.max(1, translator.countSourceTokens(sources.get(i)));
      order.add(i);
    }
    order.sort(Comparator.comparingInt(i -> tokens[i]));
    List<List<Translation>> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      result.add(null);
    }
    int from = 0;
    while (from < n) {
      int to = from + 1;
      while (to < n
          && to - from < batching.maxBatchSize()
          && (long) (to - from + 1) * tokens[order.get(to)] <= batching.maxBatchWeight()) {
        to++;
      }
      List<Integer> ids = order.subList(from, to);
      List<String> batch = new ArrayList<>(ids.size());
      for (int id : ids) {
        batch.add(sources.get(id));
      }
      List<List<Translation>> got = translator.translate(batch, decoding);
      if (got == null || got.size() != batch.size()) {
        throw new IllegalStateException(
            "translator " + translator.describe() + " returned "
                + (got == null ? "nothing" : got.size() + " results") + " for " + batch.size()
                + " sources");
      }
      for (int j = 0; j < ids.size(); j++) {
        List<Translation> candidates = got.get(j);
        if (candidates == null || candidates.size() != decoding.candidates()) {
          throw new IllegalStateException(
              "translator " + translator.describe() + " returned "
                  + (candidates == null ? "no" : String.valueOf(candidates.size()))
                  + " candidates instead of " + decoding.candidates());
        }
        result.set(ids.get(j), candidates);
      }
      from = to;
    }
    return result;
  }
}
