package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.CompatibleLookup;
import dev.tarjama.models.cache.ModelFingerprint;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.ModelsProbe;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backend's translations are cached under, and the conversions between cache entries and
 * {@link ChunkTranslation}s: the pure part of {@code TranslateChunks}' cache, shared by its lookup
 * ({@link CacheLookup}) and its writes.
 *
 * <p>The {@link CacheKeyspace} of a backend: backend id = its kind ({@code openai-chat}, {@code
 * openai-completions}, {@code local}; a batch kind's is {@code openai-chat}, since its lines are
 * chat requests: a batch answer serves a live request and back); model = the API model name or the local model directory;
 * prompt = the template with the languages filled in and {@code {text}} left as it is (none for a
 * local model); decoding = every setting that changes the output (temperature, top-p, max tokens,
 * how candidates are asked for, the seed; for a local model strategy, beam width, sampling and
 * length limits), unset ones as {@code default}; an API backend's extra request fields ({@code
 * extra-body}, {@code chat-template-kwargs}) as {@code extra_body} = their canonical JSON, only
 * when there are any. The candidate index and the chunk text complete
 * the key. The number of candidates k is not part of it: candidate i is the same request whether
 * 2 or 4 are asked for, so raising k reuses what is stored.
 *
 * <p>The model identity: for a local model the fingerprint of its files ({@link
 * ModelFingerprint}, {@code weights-sha256}; left out when the launcher cannot read the path), for
 * an API backend what its server reports ({@link BackendSpec#serverIdentity()}); and the user's
 * {@code model-version=}. Lookups go through {@link CompatibleLookup}, so entries of the previous
 * release answer while that identity stays the one first seen.
 *
 * <p>A truncated answer ({@code finish_reason: length}) is never stored as a good answer: it goes
 * under the same key in the {@link #truncatedKeyspace truncated keyspace} instead (the decoding
 * settings plus {@code finish_reason=length}), which no lookup of a good answer reads. It is kept
 * so that a rerun knows, without paying again, that this request is cut and goes straight to the
 * retry, whose larger {@code max_tokens} makes keys of its own.
 */
public final class BackendCaching {
  private BackendCaching() {}

  /** The keyspace of {@code backend}'s translations. */
  public static CacheKeyspace keyspace(BackendSpec backend) {
    return keyspace(backend, Map.of());
  }

  /**
   * Where {@code backend}'s truncated answers are kept: its keyspace with {@code
   * finish_reason=length} among the decoding settings, so that no key of a good answer equals one.
   */
  public static CacheKeyspace truncatedKeyspace(BackendSpec backend) {
    return keyspace(backend, Map.of("finish_reason", "length"));
  }

  private static CacheKeyspace keyspace(BackendSpec backend, Map<String, String> marks) {
    Map<String, String> decoding = new TreeMap<>(marks);
    if (backend.isLocal()) {
      Decoding d = backend.local().decoding();
      decoding.put("strategy", d.strategy().name().toLowerCase(Locale.ROOT));
      decoding.put("beam_width", Integer.toString(d.beamWidth()));
      decoding.put("temperature", Double.toString(d.temperature()));
      decoding.put("top_p", Double.toString(d.topP()));
      decoding.put("seed", Long.toString(d.seed()));
      decoding.put("max_length_ratio", Double.toString(d.maxLengthRatio()));
      decoding.put("max_length_slack", Integer.toString(d.maxLengthSlack()));
      decoding.put("max_length", Integer.toString(d.maxLength()));
      Map<String, String> identity = new TreeMap<>();
      identity.put("weights-sha256", fingerprint(backend.local().path()));
      identity.put("model-version", backend.modelVersion());
      return CacheKeyspace.of(backend.kind().id(), backend.local().path(), "", decoding)
          .withModelIdentity(identity);
    }
    PromptTemplate prompt = backend.prompt();
    decoding.putAll(apiDecoding(backend.config()));
    Map<String, String> identity = new TreeMap<>(backend.serverIdentity());
    identity.put("model-version", backend.modelVersion());
    return CacheKeyspace.of(
            backend.kind().cacheId(),
            backend.config().model(),
            prompt.render(PromptTemplate.TEXT),
            decoding)
        .withModelIdentity(identity);
  }

  /**
   * Each API backend with what its server reports about its model ({@link ModelsProbe}, at the
   * launcher, once per run), for its cache keys; local backends as they are. A server that
   * reports nothing leaves its backend identified by name and {@code model-version=}. For
   * commands that probe nothing else; {@code translate} probes once and passes the identity to
   * {@link BackendSpec#withServerIdentity}.
   */
  public static List<BackendSpec> withServerIdentities(List<BackendSpec> backends) {
    List<BackendSpec> identified = new ArrayList<>(backends.size());
    for (BackendSpec b : backends) {
      // A batch-file backend without url= has no server to ask.
      identified.add(b.isLocal() || (b.isBatch() && !b.batch().hasServer()) ? b
          : b.withServerIdentity(ModelsProbe.identity(b.config())));
    }
    return identified;
  }

  /** The weights' fingerprint, or "" when this machine cannot read the model's path. */
  private static String fingerprint(String path) {
    Path p = Path.of(path);
    if (!Files.exists(p)) {
      return "";
    }
    try {
      return ModelFingerprint.of(p);
    } catch (java.io.UncheckedIOException e) {
      return "";
    }
  }

  /** The decoding settings of an API backend as they enter a cache key (unset: "default"). */
  public static Map<String, String> apiDecoding(BackendConfig c) {
    Map<String, String> decoding = new TreeMap<>();
    decoding.put("temperature", Double.isNaN(c.temperature()) ? "default"
        : Double.toString(c.temperature()));
    decoding.put("top_p", Double.isNaN(c.topP()) ? "default" : Double.toString(c.topP()));
    decoding.put("max_tokens", c.maxTokens() == 0 ? "default" : Integer.toString(c.maxTokens()));
    decoding.put("candidates", c.candidateMode() == BackendConfig.CandidateMode.SERVER_N
        ? "n" : "seeds");
    decoding.put("seed", c.seed() == null ? "default" : Long.toString(c.seed()));
    if (!c.extraBody().isEmpty()) {
      // Only when set, so that every key without one stays what it was.
      decoding.put("extra_body", c.extraBody());
    }
    return decoding;
  }

  /** The keys of candidates 0…k-1 of {@code text}, in candidate order. */
  public static List<CacheKey> keys(CacheKeyspace keyspace, String text, int k) {
    List<CacheKey> keys = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      keys.add(keyspace.key(i, text));
    }
    return keys;
  }

  /**
   * The entries to store for a completion of a chunk whose text is {@code text}: exactly the
   * texts and token counts that {@code TranslateChunks} emits for it (edge whitespace the
   * source's, usage spread over the candidates), so that a hit gives what the call gave. Candidates cut by the length limit go
   * under their key in {@code truncated} instead of {@code keyspace}.
   */
  public static Map<CacheKey, CachedTranslation> entries(
      CacheKeyspace keyspace, CacheKeyspace truncated, String text, int k, Completion c) {
    long[] in = CompletionCandidates.promptTokensPerCandidate(c, k);
    long[] out = CompletionCandidates.completionTokensPerCandidate(c, k);
    Map<CacheKey, CachedTranslation> entries = new LinkedHashMap<>();
    for (int i = 0; i < k; i++) {
      entries.put(
          (CompletionCandidates.isTruncated(c, i) ? truncated : keyspace).key(i, text),
          new CachedTranslation(
              CompletionCandidates.keepEdgeWhitespace(text, c.texts().get(i)), in[i], out[i]));
    }
    return entries;
  }

  /**
   * The entries to store for a backend's successful candidates of one chunk; failures never; a
   * {@link ChunkTranslation#truncated() truncated} one under its key in {@code truncated}.
   */
  public static Map<CacheKey, CachedTranslation> entries(
      CacheKeyspace keyspace, CacheKeyspace truncated, List<ChunkTranslation> candidates) {
    Map<CacheKey, CachedTranslation> entries = new LinkedHashMap<>();
    for (ChunkTranslation t : candidates) {
      if (t.failed()) {
        return Map.of(); // a chunk is cached whole or not at all
      }
      entries.put(
          (t.truncated() ? truncated : keyspace).key(t.candidate(), t.source()),
          new CachedTranslation(t.text(), t.tokensIn(), t.tokensOut()));
    }
    return entries;
  }

  /**
   * All k candidates of one text as the cache holds them, each a good answer or one cut at the
   * length limit ({@link #truncatedKeyspace}).
   */
  public record Stored(List<CachedTranslation> candidates, List<Boolean> cut) {
    /** Whether any candidate is cut. */
    public boolean anyCut() {
      return cut.contains(true);
    }

    /** The candidates for {@code chunk}: exactly what is stored, cut ones marked truncated. */
    public List<ChunkTranslation> of(Chunk chunk, String label) {
      List<ChunkTranslation> out = new ArrayList<>(candidates.size());
      for (int i = 0; i < candidates.size(); i++) {
        CachedTranslation t = candidates.get(i);
        out.add(cut.get(i)
            ? ChunkTranslation.truncated(chunk, label, i, t.text(), t.tokensIn(), t.tokensOut())
            : candidate(chunk, label, i, t));
      }
      return out;
    }
  }

  /**
   * The candidates of one text in {@code found}, by their good keys ({@code good}, candidate
   * order) or else their truncated ones ({@code cut}; null: none kept apart); null unless every
   * one is there (a text with only some stored is sent again: one request gives all k).
   */
  public static Stored stored(
      Map<CacheKey, CachedTranslation> found, List<CacheKey> good, List<CacheKey> cut) {
    List<CachedTranslation> stored = new ArrayList<>(good.size());
    List<Boolean> cuts = new ArrayList<>(good.size());
    for (int i = 0; i < good.size(); i++) {
      CachedTranslation t = found.get(good.get(i));
      cuts.add(t == null);
      if (t == null && cut != null) {
        t = found.get(cut.get(i));
      }
      if (t == null) {
        return null;
      }
      stored.add(t);
    }
    return new Stored(stored, cuts);
  }

  /** The candidate a stored entry stands for. */
  public static ChunkTranslation candidate(
      Chunk chunk, String label, int candidate, CachedTranslation stored) {
    return ChunkTranslation.success(
        chunk, label, candidate, stored.text(), stored.tokensIn(), stored.tokensOut());
  }
}
