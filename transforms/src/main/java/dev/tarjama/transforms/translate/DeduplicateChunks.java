package dev.tarjama.transforms.translate;

import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.report.LiveCounts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Finds identical chunks so that each text is translated once per (backend, candidate): SmolTalk2
 * repeats system prompts and boilerplate thousands of times. A backend's request depends on the
 * chunk text alone (its prompt renders the text; a local model is given the text), so chunks with
 * equal text are one translation.
 *
 * <p>Input: {@code PCollection<Chunk>}. The chunks are grouped by {@link #textKey} (SHA-256 of the
 * text: a {@code GroupByKey}); each group's representative is its chunk with the smallest (record
 * id, chunk index), so that reruns send the same chunk.
 *
 * <p>Outputs (a {@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #UNIQUE}: one chunk per distinct text, the one to translate;
 *   <li>{@link #MEMBERS}: for each text shared by several chunks, every chunk that has it, as
 *       {@code KV<text key, KV<record id, chunk index>>}, for {@link #fanOut};
 *   <li>{@link #DUPLICATES}: the chunks that are not sent (every chunk but the representative),
 *       for the run's duplicate share and duplicate tokens.
 * </ul>
 *
 * <p>{@link #fanOut} gives every member of a shared text a copy of the representative's
 * translations (and failures) under its own record id and chunk index, which is all reassembly
 * needs: each chunk's placeholders are restored from its own record's plan. Nothing fails here.
 */
public final class DeduplicateChunks extends PTransform<PCollection<Chunk>, PCollectionTuple> {
  /** One chunk per distinct text. */
  public static final TupleTag<Chunk> UNIQUE = new TupleTag<>() {};

  /** Every chunk of a text that several chunks share: text key → (record id, chunk index). */
  public static final TupleTag<KV<String, KV<String, Integer>>> MEMBERS = new TupleTag<>() {};

  /** The chunks whose text another chunk (the representative) carries to the backends. */
  public static final TupleTag<Chunk> DUPLICATES = new TupleTag<>() {};

  private static final Comparator<Chunk> REPRESENTATIVE =
      Comparator.comparing((Chunk c) -> c.recordId()).thenComparingInt(c -> c.chunkIndex());

  private DeduplicateChunks() {}

  public static DeduplicateChunks create() {
    return new DeduplicateChunks();
  }

  /** The coder of {@link #MEMBERS}. */
  public static KvCoder<String, KV<String, Integer>> membersCoder() {
    return KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()));
  }

  /** The grouping key of a text: SHA-256 of its UTF-8, hex. */
  public static String textKey(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public PCollectionTuple expand(PCollection<Chunk> chunks) {
    PCollectionTuple out =
        chunks
            .apply("Key by text", ParDo.of(new KeyByTextFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), chunks.getCoder()))
            .apply("Group identical texts", GroupByKey.create())
            .apply(
                "Pick representative",
                ParDo.of(new PickRepresentativeFn())
                    .withOutputTags(UNIQUE, TupleTagList.of(MEMBERS).and(DUPLICATES)));
    out.get(UNIQUE).setCoder(chunks.getCoder());
    out.get(DUPLICATES).setCoder(chunks.getCoder());
    out.get(MEMBERS).setCoder(membersCoder());
    return out;
  }

  /**
   * Copies each translation of a shared text to every chunk that has it; translations of texts
   * no other chunk shares pass unchanged. Input: the translations (and failures) of {@link
   * #UNIQUE}'s chunks; {@code members}: {@link #MEMBERS}. Metrics per backend label: {@code
   * dedupe_copies} (candidates given to a duplicate chunk instead of a call) and {@code
   * dedupe_tokens_saved} (their prompt + completion tokens).
   */
  public static FanOut fanOut(PCollection<KV<String, KV<String, Integer>>> members) {
    return new FanOut(members);
  }

  /** See {@link #fanOut}. */
  public static final class FanOut
      extends PTransform<PCollection<ChunkTranslation>, PCollection<ChunkTranslation>> {
    private final transient PCollection<KV<String, KV<String, Integer>>> members;

    private FanOut(PCollection<KV<String, KV<String, Integer>>> members) {
      this.members = members;
    }

    @Override
    public PCollection<ChunkTranslation> expand(PCollection<ChunkTranslation> translations) {
      TupleTag<ChunkTranslation> translated = new TupleTag<>();
      TupleTag<KV<String, Integer>> chunks = new TupleTag<>();
      PCollection<KV<String, ChunkTranslation>> keyed =
          translations
              .apply("Key translations by text", ParDo.of(new KeyTranslationFn()))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), new ModelCoders.ChunkTranslationCoder()));
      return KeyedPCollectionTuple.of(translated, keyed)
          .and(chunks, members)
          .apply("Join members", CoGroupByKey.create())
          .apply("Copy to members", ParDo.of(new CopyToMembersFn(translated, chunks)))
          .setCoder(new ModelCoders.ChunkTranslationCoder());
    }
  }

  // ---------------------------------------------------------------------------------------------

  static final class KeyByTextFn extends DoFn<Chunk, KV<String, Chunk>> {
    @ProcessElement
    public void process(@Element Chunk chunk, OutputReceiver<KV<String, Chunk>> out) {
      out.output(KV.of(textKey(chunk.text()), chunk));
    }
  }

  static final class PickRepresentativeFn extends DoFn<KV<String, Iterable<Chunk>>, Chunk> {
    private final Counter unique = Metrics.counter("tarjama", "dedupe/unique_chunks");
    private final Counter duplicates = Metrics.counter("tarjama", "dedupe/duplicate_chunks");

    @ProcessElement
    public void process(@Element KV<String, Iterable<Chunk>> group, MultiOutputReceiver out) {
      // One pass over the group (Flink batch cannot iterate it twice): the members are needed
      // again once the representative is known.
      List<Chunk> members = new ArrayList<>();
      Chunk representative = null;
      for (Chunk c : group.getValue()) {
        members.add(c);
        if (representative == null || REPRESENTATIVE.compare(c, representative) < 0) {
          representative = c;
        }
      }
      unique.inc();
      LiveCounts.inc(LiveCounts.UNIQUE_CHUNKS);
      out.get(UNIQUE).output(representative);
      if (members.size() == 1) {
        return;
      }
      for (Chunk c : members) {
        out.get(MEMBERS).output(KV.of(group.getKey(), KV.of(c.recordId(), c.chunkIndex())));
        if (c != representative) {
          duplicates.inc();
          out.get(DUPLICATES).output(c);
        }
      }
    }
  }

  static final class KeyTranslationFn extends DoFn<ChunkTranslation, KV<String, ChunkTranslation>> {
    @ProcessElement
    public void process(
        @Element ChunkTranslation t, OutputReceiver<KV<String, ChunkTranslation>> out) {
      out.output(KV.of(textKey(t.source()), t));
    }
  }

  static final class CopyToMembersFn extends DoFn<KV<String, CoGbkResult>, ChunkTranslation> {
    private final TupleTag<ChunkTranslation> translated;
    private final TupleTag<KV<String, Integer>> chunks;
    private transient Map<String, Counter[]> counters;

    CopyToMembersFn(TupleTag<ChunkTranslation> translated, TupleTag<KV<String, Integer>> chunks) {
      this.translated = translated;
      this.chunks = chunks;
    }

    @Setup
    public void setup() {
      counters = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> joined, OutputReceiver<ChunkTranslation> out) {
      List<KV<String, Integer>> members = new ArrayList<>();
      joined.getValue().getAll(chunks).forEach(members::add);
      for (ChunkTranslation t : joined.getValue().getAll(translated)) {
        if (members.isEmpty()) {
          out.output(t);
          continue;
        }
        for (KV<String, Integer> m : members) {
          if (m.getKey().equals(t.recordId()) && m.getValue() == t.chunkIndex()) {
            out.output(t);
            continue;
          }
          Counter[] c = counters.computeIfAbsent(t.backend(), label -> new Counter[] {
              BackendMetrics.translation(label).counter("dedupe_copies"),
              BackendMetrics.translation(label).counter("dedupe_tokens_saved")
          });
          c[0].inc();
          c[1].inc(t.tokensIn() + t.tokensOut());
          out.output(t.forChunk(m.getKey(), m.getValue()));
        }
      }
    }
  }
}
