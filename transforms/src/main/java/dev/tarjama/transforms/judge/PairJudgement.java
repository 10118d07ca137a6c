package dev.tarjama.transforms.judge;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.transforms.backend.BackendCall;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.ModelCoders;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The judge's question about one pair, as {@link dev.tarjama.transforms.backend.CallBackend} asks
 * it: exactly {@link JudgeRequest#of} (config, prompt, pair), one answer, read by {@link
 * VerdictParser} into {@link JudgeParallelPairs#ACCEPTED}, {@link JudgeParallelPairs#REJECTED} or
 * {@link JudgeParallelPairs#UNDECIDED}; a request that failed for good becomes a {@link
 * DeadLetter} of stage {@code judge} with the pair as JSON.
 *
 * <p>Cached under the translation cache's scheme over the backend's protocol (prefixed {@code
 * judge/}), model and decoding settings, keyed by the rendered prompt; the answer stored as the
 * server gave it. Counts {@code judge/accepted}, {@code judge/rejected}, {@code judge/undecided}.
 */
final class PairJudgement implements BackendCall<ParallelPair, JudgedPair> {
  private static final long serialVersionUID = 1L;

  private final BackendSpec backend;
  private final JudgePrompt prompt;
  private final CacheKeyspace keyspace;
  private final Counter accepted;
  private final Counter rejected;
  private final Counter undecided;

  PairJudgement(BackendSpec backend, JudgePrompt prompt) {
    this.backend = backend;
    this.prompt = prompt;
    Map<String, String> identity = new TreeMap<>(backend.serverIdentity());
    identity.put("model-version", backend.modelVersion());
    this.keyspace = CacheKeyspace.of("judge/" + backend.kind().id(), backend.config().model(), "",
        BackendCaching.apiDecoding(backend.config())).withModelIdentity(identity);
    BackendMetrics metrics = metrics();
    this.accepted = metrics.counter("accepted");
    this.rejected = metrics.counter("rejected");
    this.undecided = metrics.counter("undecided");
  }

  @Override
  public BackendSpec backend() {
    return backend;
  }

  @Override
  public String name() {
    return backend.name();
  }

  @Override
  public BackendMetrics metrics() {
    return BackendMetrics.judge();
  }

  @Override
  public CacheKeyspace keyspace() {
    return keyspace;
  }

  /** A cut verdict is an answer like any other (most likely undecided). */
  @Override
  public CacheKeyspace truncatedKeyspace() {
    return null;
  }

  @Override
  public int n() {
    return 1;
  }

  @Override
  public String request(ParallelPair pair) {
    return JudgeRequest.of(backend.config(), prompt, pair).prompt();
  }

  @Override
  public String cacheText(ParallelPair pair) {
    return request(pair);
  }

  /** A verdict is a word or two. */
  @Override
  public long expectedTokensOut(ParallelPair pair) {
    return 8;
  }

  @Override
  public TupleTag<JudgedPair> output() {
    return JudgeParallelPairs.ACCEPTED;
  }

  @Override
  public TupleTagList otherOutputs() {
    return TupleTagList.of(JudgeParallelPairs.REJECTED)
        .and(JudgeParallelPairs.UNDECIDED)
        .and(JudgeParallelPairs.DEAD_LETTERS);
  }

  @Override
  public void setCoders(PCollectionTuple outputs, Coder<ParallelPair> inputCoder) {
    outputs.get(JudgeParallelPairs.ACCEPTED).setCoder(new JudgedPair.JudgedPairCoder());
    outputs.get(JudgeParallelPairs.REJECTED).setCoder(new JudgedPair.JudgedPairCoder());
    outputs.get(JudgeParallelPairs.UNDECIDED).setCoder(new JudgedPair.JudgedPairCoder());
    outputs.get(JudgeParallelPairs.DEAD_LETTERS).setCoder(new ModelCoders.DeadLetterCoder());
  }

  @Override
  public Map<CacheKey, CachedTranslation> entries(String prompt, Completion completion) {
    return Map.of(keyspace.key(0, prompt), new CachedTranslation(
        completion.texts().get(0), completion.promptTokens(), completion.completionTokens()));
  }

  @Override
  public void stored(ParallelPair pair, BackendCaching.Stored stored, Emitter out) {
    verdict(pair, stored.candidates().get(0).text(), out);
  }

  @Override
  public void answered(ParallelPair pair, Completion completion, Emitter out) {
    verdict(pair, completion.texts().get(0), out);
  }

  @Override
  public void copied(
      ParallelPair pair, Completion completion, BackendCaching.Stored stored, Emitter out) {
    verdict(pair, stored != null ? stored.candidates().get(0).text() : completion.texts().get(0),
        out);
  }

  @Override
  public void failed(ParallelPair pair, String error, Emitter out) {
    out.output(JudgeParallelPairs.DEAD_LETTERS, DeadLetter.of(pair.id(), JudgeParallelPairs.STAGE,
        "", error, JudgeOutputs.pair(pair).toString()));
  }

  private void verdict(ParallelPair pair, String answer, Emitter out) {
    Verdict verdict = VerdictParser.parse(answer);
    JudgedPair judged = new JudgedPair(pair, verdict, answer);
    switch (verdict) {
      case ACCEPT -> {
        accepted.inc();
        out.output(JudgeParallelPairs.ACCEPTED, judged);
      }
      case REJECT -> {
        rejected.inc();
        out.output(JudgeParallelPairs.REJECTED, judged);
      }
      case UNDECIDED -> {
        undecided.inc();
        out.output(JudgeParallelPairs.UNDECIDED, judged);
      }
    }
  }
}
