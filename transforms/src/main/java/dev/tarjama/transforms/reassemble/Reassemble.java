package dev.tarjama.transforms.reassemble;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.CandidateKey;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.domain.RecordPlan;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Reassembles full translated records: groups, per (record, backend, candidate index), the record's
 * plan with the translations of its chunks, and builds one {@link Candidate} per group (see {@link
 * CandidateAssembler} for the validation rules).
 *
 * <p>Input: a {@link PCollectionTuple} holding {@link #PLANS} (one {@link RecordPlan} per record)
 * and {@link #TRANSLATIONS} (successful and failed {@link ChunkTranslation}s, flattened). Output:
 * every expected candidate, one per record × backend × candidate index, valid or not — a record
 * whose chunks are all protected still yields its candidates (the record itself).
 */
public final class Reassemble extends PTransform<PCollectionTuple, PCollection<Candidate>> {
  public static final TupleTag<RecordPlan> PLANS = new TupleTag<>() {};
  public static final TupleTag<ChunkTranslation> TRANSLATIONS = new TupleTag<>() {};

  private final Map<String, Integer> candidatesPerBackend;

  private Reassemble(Map<String, Integer> candidatesPerBackend) {
    this.candidatesPerBackend = candidatesPerBackend;
  }

  /** Expects {@code k} candidates from each backend, keyed by backend name. */
  public static Reassemble expecting(Map<String, Integer> candidatesPerBackend) {
    if (candidatesPerBackend.isEmpty()) {
      throw new IllegalArgumentException("reassembly needs at least one backend");
    }
    return new Reassemble(new LinkedHashMap<>(candidatesPerBackend));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    StringBuilder expected = new StringBuilder();
    candidatesPerBackend.forEach((backend, k) ->
        expected.append(expected.length() == 0 ? "" : ",").append(backend).append('=').append(k));
    builder.add(DisplayData.item("candidatesPerBackend", expected.toString())
        .withLabel("Candidates expected per backend"));
  }

  @Override
  public PCollection<Candidate> expand(PCollectionTuple input) {
    TupleTag<RecordPlan> planTag = new TupleTag<>() {};
    TupleTag<ChunkTranslation> translationTag = new TupleTag<>() {};
    PCollection<RecordPlan> plans = input.get(PLANS);
    PCollection<ChunkTranslation> translations = input.get(TRANSLATIONS);

    PCollection<KV<CandidateKey, RecordPlan>> plansPerCandidate =
        plans
            .apply("FanOutPerCandidate", ParDo.of(new FanOutPerCandidate(candidatesPerBackend)))
            .setCoder(KvCoder.of(new ModelCoders.CandidateKeyCoder(), plans.getCoder()));
    PCollection<KV<CandidateKey, ChunkTranslation>> translationsPerCandidate =
        translations
            .apply("KeyByCandidate", ParDo.of(new KeyByCandidate()))
            .setCoder(KvCoder.of(new ModelCoders.CandidateKeyCoder(), translations.getCoder()));

    return KeyedPCollectionTuple.of(planTag, plansPerCandidate)
        .and(translationTag, translationsPerCandidate)
        .apply("GroupPerCandidate", CoGroupByKey.create())
        .apply("AssembleCandidate", ParDo.of(new AssembleCandidate(planTag, translationTag)));
  }

  private static final class FanOutPerCandidate extends DoFn<RecordPlan, KV<CandidateKey, RecordPlan>> {
    private final Map<String, Integer> candidatesPerBackend;

    FanOutPerCandidate(Map<String, Integer> candidatesPerBackend) {
      this.candidatesPerBackend = candidatesPerBackend;
    }

    @ProcessElement
    public void process(@Element RecordPlan plan, OutputReceiver<KV<CandidateKey, RecordPlan>> out) {
      for (Map.Entry<String, Integer> backend : candidatesPerBackend.entrySet()) {
        for (int k = 0; k < backend.getValue(); k++) {
          out.output(
              KV.of(new CandidateKey(plan.conversation().recordId(), backend.getKey(), k), plan));
        }
      }
    }
  }

  private static final class KeyByCandidate
      extends DoFn<ChunkTranslation, KV<CandidateKey, ChunkTranslation>> {
    @ProcessElement
    public void process(
        @Element ChunkTranslation t, OutputReceiver<KV<CandidateKey, ChunkTranslation>> out) {
      out.output(KV.of(t.candidateKey(), t));
    }
  }

  private static final class AssembleCandidate extends DoFn<KV<CandidateKey, CoGbkResult>, Candidate> {
    private final TupleTag<RecordPlan> planTag;
    private final TupleTag<ChunkTranslation> translationTag;
    private final Counter valid = Metrics.counter("tarjama", "candidates_valid");
    private final Counter invalid = Metrics.counter("tarjama", "candidates_invalid");
    private final Counter orphans = Metrics.counter("tarjama", "translations_without_record");

    AssembleCandidate(TupleTag<RecordPlan> planTag, TupleTag<ChunkTranslation> translationTag) {
      this.planTag = planTag;
      this.translationTag = translationTag;
    }

    @ProcessElement
    public void process(@Element KV<CandidateKey, CoGbkResult> group, OutputReceiver<Candidate> out) {
      Iterator<RecordPlan> plans = group.getValue().getAll(planTag).iterator();
      if (!plans.hasNext()) {
        // Only possible for a backend/candidate the reassembly was not told about.
        orphans.inc();
        return;
      }
      RecordPlan plan = plans.next();
      if (plans.hasNext()) {
        // Record keys are unique by construction (RecordKey): two plans under one key would mean
        // two records rebuilt from each other's chunks, so stop rather than mix them.
        throw new IllegalStateException("two records share the key " + group.getKey());
      }
      CandidateKey key = group.getKey();
      Candidate result =
          CandidateAssembler.assemble(
              plan, key.backend(), key.candidate(), group.getValue().getAll(translationTag));
      (result.valid() ? valid : invalid).inc();
      out.output(result);
    }
  }
}
