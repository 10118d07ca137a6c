package dev.tarjama.transforms.meaning;

import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.judge.JudgeParallelPairs;
import dev.tarjama.transforms.judge.JudgePrompt;
import dev.tarjama.transforms.judge.JudgedPair;
import dev.tarjama.transforms.judge.ParallelPair;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.domain.Placeholders;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The quality judge ({@code translate --qe-judge=BACKEND}): asks an OpenAI-compatible model, per
 * candidate chunk, whether the translation is faithful to its source, with the strict {@link
 * JudgePrompt#faithful() faithful} prompt (or another {@link JudgePrompt}), and puts the verdict
 * on the chunk ({@link ChunkTranslation#meaning()}) for reassembly, which fails a candidate with a
 * rejected chunk with the reason {@code meaning}. This is the check for what LR and SCR cannot
 * see: fluent Arabic about something else, or an answer to the text instead of its translation.
 *
 * <p>Input and output: {@code PCollection<ChunkTranslation>}, every element out once. Judged:
 * successful, not truncated translations whose source has a letter outside protected spans; the
 * others pass unchanged ({@code meaning} ""). The requests are {@link JudgeParallelPairs}' own
 * (same client, retries, concurrency and metrics {@code judge/…}), and so is the cache: the same
 * stores and key scheme as translation and {@code tarjama judge}, every answer stored as it
 * arrives, failures never, so a second run over the same cache sends nothing. A request that
 * failed for good marks its chunk {@link ChunkTranslation#MEANING_FAILED} (not a gate: the
 * translation is not at fault); an answer that is not a verdict, {@link
 * ChunkTranslation#MEANING_UNDECIDED}. The verdicts are joined back to their chunks by a
 * CoGroupByKey on (record, chunk, backend, candidate), each side iterated once.
 */
public final class JudgeMeaning
    extends PTransform<PCollection<ChunkTranslation>, PCollection<ChunkTranslation>> {

  private static final TupleTag<ChunkTranslation> CHUNK = new TupleTag<>() {};
  private static final TupleTag<String> VERDICT = new TupleTag<>() {};
  private static final TupleTag<KV<ChunkKey, ChunkTranslation>> JUDGED = new TupleTag<>() {};
  private static final TupleTag<ChunkTranslation> PASSED = new TupleTag<>() {};

  private final JudgeParallelPairs judge;

  private JudgeMeaning(JudgeParallelPairs judge) {
    this.judge = judge;
  }

  /**
   * Judges with this API backend (its {@code k} must be 1 and it must not be local; see {@link
   * JudgeParallelPairs#using}), with the {@code faithful} prompt and no cache.
   */
  public static JudgeMeaning using(BackendSpec backend) {
    return new JudgeMeaning(JudgeParallelPairs.using(backend).withPrompt(JudgePrompt.faithful()));
  }

  /**
   * The judge's backend for {@code --qe-judge=VALUE}: the translation backend named VALUE (asked
   * for one answer: its {@code k} set to 1), else VALUE parsed as a backend spec.
   *
   * @throws IllegalArgumentException naming the value when it is neither, or names a local model
   */
  public static BackendSpec judgeBackend(String value, List<BackendSpec> backends) {
    String v = value.strip();
    BackendSpec spec = null;
    for (BackendSpec b : backends) {
      if (b.name().equals(v)) {
        spec = b.isLocal() ? b : b.withK(1);
      }
    }
    if (spec == null) {
      if (!v.contains("=")) {
        throw new IllegalArgumentException("--qe-judge=" + v + ": no --backend is named so, and it"
            + " is not a backend spec (name=…,url=…,model=…)");
      }
      try {
        spec = BackendSpec.parse(v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--qe-judge: " + e.getMessage(), e);
      }
    }
    if (spec.isLocal() || spec.k() != 1) {
      throw new IllegalArgumentException("--qe-judge=" + v
          + ": the judge must be an OpenAI-compatible server giving one answer (k=1)");
    }
    return spec;
  }

  /** Another prompt ({@code {en}} = the source chunk, {@code {ar}} = its translation). */
  public JudgeMeaning withPrompt(JudgePrompt prompt) {
    return new JudgeMeaning(judge.withPrompt(Objects.requireNonNull(prompt)));
  }

  /** The cache at {@code uri} (the translation cache's stores; {@code none}: no cache). */
  public JudgeMeaning withCache(String uri) {
    return new JudgeMeaning(judge.withCache(uri));
  }

  /** Spreads the requests over this many keys (see {@link JudgeParallelPairs#withShuffleBuckets}). */
  public JudgeMeaning withShuffleBuckets(int buckets) {
    return new JudgeMeaning(judge.withShuffleBuckets(buckets));
  }

  /** Whether the translation of {@code t} is worth a judge's call (see the class comment). */
  static boolean judgeable(ChunkTranslation t) {
    return !t.failed()
        && !t.truncated()
        && Placeholders.strip(t.source()).codePoints().anyMatch(Character::isLetter);
  }

  /**
   * The join key of one candidate chunk. The judge's pairs carry it as their id ({@link #id}, its
   * coder's bytes in Base64), and the verdicts come back by that id ({@link #ofId}).
   *
   * @param recordId the chunk's record
   * @param chunkIndex the chunk's index in the record
   * @param backend the backend that translated it
   * @param candidate the candidate index
   */
  @DefaultCoder(ChunkKeyCoder.class)
  record ChunkKey(String recordId, int chunkIndex, String backend, int candidate) {
    private static final ChunkKeyCoder CODER = new ChunkKeyCoder();

    static ChunkKey of(ChunkTranslation t) {
      return new ChunkKey(t.recordId(), t.chunkIndex(), t.backend(), t.candidate());
    }

    /** This key as a judge pair's id: a string that {@link #ofId} reads back. */
    String id() {
      try {
        return CoderUtils.encodeToBase64(CODER, this);
      } catch (CoderException e) {
        throw new IllegalStateException(e);
      }
    }

    static ChunkKey ofId(String id) {
      try {
        return CoderUtils.decodeFromBase64(CODER, id);
      } catch (CoderException e) {
        throw new IllegalArgumentException("not a chunk key: " + id, e);
      }
    }
  }

  /** The coder of {@link ChunkKey}: its fields in order. Deterministic. */
  static final class ChunkKeyCoder extends ModelCoders.Typed<ChunkKey> {
    ChunkKeyCoder() {
      super(
          (out, k) -> {
            ModelCoders.writeUtf8(out, k.recordId());
            out.writeInt(k.chunkIndex());
            ModelCoders.writeUtf8(out, k.backend());
            out.writeInt(k.candidate());
          },
          in -> new ChunkKey(ModelCoders.readUtf8(in), in.readInt(), ModelCoders.readUtf8(in),
              in.readInt()));
    }
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.include("judge", judge);
  }

  @Override
  public PCollection<ChunkTranslation> expand(PCollection<ChunkTranslation> translations) {
    ModelCoders.ChunkTranslationCoder coder = new ModelCoders.ChunkTranslationCoder();
    PCollectionTuple split =
        translations.apply(
            "Judgeable", ParDo.of(new SplitFn()).withOutputTags(JUDGED, TupleTagList.of(PASSED)));
    ChunkKeyCoder keyCoder = new ChunkKeyCoder();
    PCollection<KV<ChunkKey, ChunkTranslation>> judged =
        split.get(JUDGED).setCoder(KvCoder.of(keyCoder, coder));
    PCollection<ParallelPair> pairs =
        judged
            .apply(
                "As pairs",
                MapElements.into(TypeDescriptor.of(ParallelPair.class))
                    .via(kv -> new ParallelPair(kv.getKey().id(), kv.getValue().source(),
                        kv.getValue().text(), "", 0)))
            .setCoder(new ParallelPair.ParallelPairCoder());
    PCollectionTuple answers = pairs.apply("Ask the judge", judge);
    PCollection<KV<ChunkKey, String>> verdicts =
        PCollectionList.of(verdicts(answers.get(JudgeParallelPairs.ACCEPTED), "accepted",
                ChunkTranslation.MEANING_ACCEPT))
            .and(verdicts(answers.get(JudgeParallelPairs.REJECTED), "rejected",
                ChunkTranslation.MEANING_REJECT))
            .and(verdicts(answers.get(JudgeParallelPairs.UNDECIDED), "undecided",
                ChunkTranslation.MEANING_UNDECIDED))
            .and(answers.get(JudgeParallelPairs.DEAD_LETTERS)
                .apply("Failed verdicts",
                    MapElements.into(TypeDescriptors.kvs(
                            TypeDescriptor.of(ChunkKey.class), TypeDescriptors.strings()))
                        .via((DeadLetter d) ->
                            KV.of(ChunkKey.ofId(d.recordId()), ChunkTranslation.MEANING_FAILED)))
                .setCoder(KvCoder.of(keyCoder, StringUtf8Coder.of())))
            .apply("All verdicts", Flatten.pCollections());
    PCollection<ChunkTranslation> withVerdicts =
        KeyedPCollectionTuple.of(CHUNK, judged)
            .and(VERDICT, verdicts)
            .apply("Join verdicts", CoGroupByKey.create())
            .apply("Put verdicts on chunks", ParDo.of(new JoinFn()))
            .setCoder(coder);
    return PCollectionList.of(withVerdicts)
        .and(split.get(PASSED).setCoder(coder))
        .apply("Judged and not", Flatten.pCollections());
  }

  private static PCollection<KV<ChunkKey, String>> verdicts(
      PCollection<JudgedPair> judged, String name, String verdict) {
    return judged
        .apply("Verdicts " + name,
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptor.of(ChunkKey.class), TypeDescriptors.strings()))
                .via((JudgedPair p) -> KV.of(ChunkKey.ofId(p.pair().id()), verdict)))
        .setCoder(KvCoder.of(new ChunkKeyCoder(), StringUtf8Coder.of()));
  }

  /** Judgeable translations keyed for the join; the others straight on. */
  static final class SplitFn extends DoFn<ChunkTranslation, KV<ChunkKey, ChunkTranslation>> {
    @ProcessElement
    public void process(@Element ChunkTranslation t, MultiOutputReceiver out) {
      if (judgeable(t)) {
        out.get(JUDGED).output(KV.of(ChunkKey.of(t), t));
      } else {
        out.get(PASSED).output(t);
      }
    }
  }

  /** Each chunk with its verdict; each side of the join read once. */
  static final class JoinFn extends DoFn<KV<ChunkKey, CoGbkResult>, ChunkTranslation> {
    @ProcessElement
    public void process(@Element KV<ChunkKey, CoGbkResult> joined, OutputReceiver<ChunkTranslation> out) {
      String verdict = "";
      for (String v : joined.getValue().getAll(VERDICT)) {
        verdict = v;
      }
      for (ChunkTranslation t : joined.getValue().getAll(CHUNK)) {
        out.output(verdict.isEmpty() ? t : t.withMeaning(verdict));
      }
    }
  }
}
