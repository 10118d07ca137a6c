package dev.tarjama.transforms.select;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.langid.LanguageIdentifier;
import dev.tarjama.models.langid.LanguageIdentifiers;
import dev.tarjama.transforms.domain.Conversation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Select: chooses which source records go on to translation (DESIGN.md data flow, after
 * normalize), by a {@link Selection}: a language filter, a code-sample filter, per-split quotas,
 * think / no-think quotas and stratified category ratios, deterministic for a seed.
 *
 * <p>Input: {@link Conversation}s as {@code NormalizeRecords} emits them.
 *
 * <p>Outputs ({@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #SELECTED}: the conversations kept, unchanged.
 *   <li>{@link #NOT_SELECTED}: one {@link SelectionOutcome} per record left out, with its reason
 *       ({@code language}, {@code code}, {@code category}, {@code split_quota}, {@code quota}).
 *       These are not dead letters: nothing went wrong with them.
 *   <li>{@link #OUTCOMES}: one {@link SelectionOutcome} per input record, selected or not, for the
 *       run report (available and selected counts per split and stratum).
 * </ul>
 *
 * <p>How quotas stay deterministic on any runner: every record gets a {@link SelectionRank} (a
 * keyed hash of the seed and its id); per split, then per stratum, {@code Top.perKey} finds the
 * quota-th lowest rank (a small side input: one cutoff per split or stratum) and a record is kept
 * when its rank is at most its cutoff. No arrival order, bundle or worker enters the choice, and
 * the records themselves are never grouped.
 *
 * <p>Failure modes: none per record. A language-ID model that cannot be read fails the pipeline
 * at worker setup, naming the file.
 *
 * <p>Counters ({@code tarjama}): {@code select.selected}, {@code select.not_selected.<reason>}.
 */
public final class SelectRecords extends PTransform<PCollection<Conversation>, PCollectionTuple> {
  public static final TupleTag<Conversation> SELECTED = new TupleTag<>() {};
  public static final TupleTag<SelectionOutcome> NOT_SELECTED = new TupleTag<>() {};
  public static final TupleTag<SelectionOutcome> OUTCOMES = new TupleTag<>() {};

  private static final String NS = "tarjama";

  private final Selection selection;

  private SelectRecords(Selection selection) {
    this.selection = Objects.requireNonNull(selection).validated();
  }

  /** Selects by {@code selection} (see {@link Selection} for every rule). */
  public static SelectRecords using(Selection selection) {
    return new SelectRecords(selection);
  }

  public Selection selection() {
    return selection;
  }

  /** The same transform with another selection. */
  public SelectRecords withSelection(Selection selection) {
    return new SelectRecords(selection);
  }

  /** The same selection with another seed. */
  public SelectRecords withSeed(long seed) {
    return new SelectRecords(selection.withSeed(seed));
  }

  private enum Stage {
    SPLIT(Selection.SPLIT_QUOTA),
    STRATUM(Selection.QUOTA);

    final String reason;

    Stage(String reason) {
      this.reason = reason;
    }
  }

  // Internal tags of the classify and quota steps.
  private static final TupleTag<KV<String, Conversation>> ELIGIBLE = new TupleTag<>() {};
  private static final TupleTag<SelectionOutcome> FILTERED = new TupleTag<>() {};

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("seed", selection.seed()).withLabel("Seed"));
    builder.add(DisplayData.item("selection", selection.toString())
        .withLabel("Selection (quotas, strata, filters)"));
  }

  @Override
  public PCollectionTuple expand(PCollection<Conversation> conversations) {
    KvCoder<String, Conversation> keyed =
        KvCoder.of(StringUtf8Coder.of(), conversations.getCoder());
    PCollectionTuple classified =
        conversations.apply("FilterAndStratify",
            ParDo.of(new ClassifyFn(selection))
                .withOutputTags(ELIGIBLE, TupleTagList.of(FILTERED)));
    classified.get(FILTERED).setCoder(new SelectionOutcome.OutcomeCoder());
    PCollection<KV<String, Conversation>> eligible = classified.get(ELIGIBLE).setCoder(keyed);

    PCollectionList<SelectionOutcome> notSelected = PCollectionList.of(classified.get(FILTERED));
    if (selection.hasSplitQuotas()) {
      PCollectionTuple split = eligible.apply("SplitQuotas", new Quota(selection, Stage.SPLIT));
      eligible = split.get(Quota.KEPT).setCoder(keyed);
      notSelected = notSelected.and(split.get(Quota.OVER));
    }
    if (selection.hasStrata()) {
      PCollectionTuple strata = eligible.apply("StratumQuotas", new Quota(selection, Stage.STRATUM));
      eligible = strata.get(Quota.KEPT).setCoder(keyed);
      notSelected = notSelected.and(strata.get(Quota.OVER));
    }

    PCollection<SelectionOutcome> left =
        notSelected.apply("AllNotSelected", Flatten.pCollections())
            .setCoder(new SelectionOutcome.OutcomeCoder());
    PCollection<Conversation> selected =
        eligible.apply("Selected", MapElements.into(TypeDescriptor.of(Conversation.class))
            .via(KV::getValue)).setCoder(conversations.getCoder());
    PCollection<SelectionOutcome> selectedOutcomes =
        eligible.apply("SelectedOutcomes", ParDo.of(new SelectedOutcomeFn()))
            .setCoder(new SelectionOutcome.OutcomeCoder());
    PCollection<SelectionOutcome> outcomes =
        PCollectionList.of(selectedOutcomes).and(left)
            .apply("AllOutcomes", Flatten.pCollections())
            .setCoder(new SelectionOutcome.OutcomeCoder());
    return PCollectionTuple.of(SELECTED, selected).and(NOT_SELECTED, left).and(OUTCOMES, outcomes);
  }

  /** Language and code filters, category check; keys every other record by its stratum. */
  static final class ClassifyFn extends DoFn<Conversation, KV<String, Conversation>> {
    private final Selection selection;
    private transient LanguageIdentifier languages;
    private transient String languageModel;

    ClassifyFn(Selection selection) {
      this.selection = selection;
    }

    @Setup
    public void setup() throws IOException {
      if (selection.filtersLanguage()) {
        languageModel = localCopy(selection.languageModel());
        languages = LanguageIdentifiers.acquire(languageModel);
      }
    }

    @Teardown
    public void teardown() {
      if (languages != null) {
        languages = null;
        LanguageIdentifiers.release(languageModel);
      }
    }

    @ProcessElement
    public void process(@Element Conversation c, MultiOutputReceiver out) {
      if (languages != null) {
        LanguageIdentifier.Prediction p = languages.identify(RecordTraits.prose(c));
        if (p.probability() >= selection.minLanguageProbability()
            && !selection.keepsLanguage(p.language())) {
          filtered(out, c, Selection.LANGUAGE,
              String.format(Locale.ROOT, "%s %.2f", p.language(), p.probability()));
          return;
        }
      }
      if (selection.dropsCodeSamples()) {
        double share = RecordTraits.codeShare(c);
        if (share > selection.maxCodeShare()) {
          filtered(out, c, Selection.CODE, String.format(Locale.ROOT, "code share %.2f", share));
          return;
        }
      }
      String stratum = "";
      if (selection.hasStrata()) {
        JsonNode root = RecordTraits.parse(c.json());
        String category =
            selection.categoryOf(RecordTraits.categoryValue(c, selection.categoryField(), root));
        if (selection.byCategory() && !selection.usesCategory(category)) {
          filtered(out, c, Selection.CATEGORY, category);
          return;
        }
        stratum = selection.stratum(RecordTraits.mode(c, root), category);
      }
      out.get(ELIGIBLE).output(KV.of(stratum, c));
    }

    private static void filtered(MultiOutputReceiver out, Conversation c, String reason,
        String detail) {
      Metrics.counter(NS, "select.not_selected." + reason).inc();
      out.get(FILTERED).output(new SelectionOutcome(c.recordId(), c.split(), "", reason, detail));
    }
  }

  /**
   * The model where fastText's native code can open it: a local file as it is, any other Beam file
   * system path (gs://…) copied once to a local temporary file.
   */
  static String localCopy(String path) throws IOException {
    if (Files.isRegularFile(Path.of(path))) {
      return path;
    }
    Path local = Files.createTempFile("tarjama-langid-", ".ftz");
    local.toFile().deleteOnExit();
    try (InputStream in = Channels.newInputStream(
        FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()))) {
      Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
    }
    return local.toString();
  }

  private static final class SelectedOutcomeFn
      extends DoFn<KV<String, Conversation>, SelectionOutcome> {
    private final Counter selected = Metrics.counter(NS, "select.selected");

    @ProcessElement
    public void process(@Element KV<String, Conversation> kv, OutputReceiver<SelectionOutcome> out) {
      selected.inc();
      Conversation c = kv.getValue();
      out.output(new SelectionOutcome(c.recordId(), c.split(), kv.getKey(), "", ""));
    }
  }

  /**
   * One quota step: per key (split or stratum) keeps the records of lowest rank, at most the key's
   * quota. Input and {@link #KEPT}: stratum → conversation; {@link #OVER}: the records past it.
   */
  static final class Quota extends PTransform<PCollection<KV<String, Conversation>>, PCollectionTuple> {
    static final TupleTag<KV<String, Conversation>> KEPT = new TupleTag<>() {};
    static final TupleTag<SelectionOutcome> OVER = new TupleTag<>() {};

    private final Selection selection;
    private final Stage stage;

    Quota(Selection selection, Stage stage) {
      this.selection = selection;
      this.stage = stage;
    }

    @Override
    public PCollectionTuple expand(PCollection<KV<String, Conversation>> input) {
      KvCoder<Long, String> rankCoder = KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of());
      PCollection<KV<String, KV<Long, String>>> ranks =
          input.apply("Rank", ParDo.of(new RankFn(selection, stage)))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), rankCoder));
      int keep = largestQuota();
      PCollection<KV<String, KV<Long, String>>> cutoffs;
      if (keep > 0) {
        cutoffs =
            ranks
                .apply("LowestRanks", Top.perKey(keep, new HighestFirst()))
                .apply("Cutoff", ParDo.of(new CutoffFn(selection, stage)))
                .setCoder(KvCoder.of(StringUtf8Coder.of(), rankCoder));
      } else {
        // Every quota is 0 (or none is set): no cutoff is needed.
        cutoffs = ranks.apply("NoCutoff", ParDo.of(new DropAllFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), rankCoder));
      }
      PCollectionView<Map<String, KV<Long, String>>> view =
          cutoffs.apply("CutoffsView", View.asMap());
      PCollectionTuple out =
          input.apply("ApplyCutoff",
              ParDo.of(new ApplyCutoffFn(selection, stage, view))
                  .withSideInputs(view)
                  .withOutputTags(KEPT, TupleTagList.of(OVER)));
      out.get(KEPT).setCoder(input.getCoder());
      out.get(OVER).setCoder(new SelectionOutcome.OutcomeCoder());
      return out;
    }

    private int largestQuota() {
      long max = 0;
      if (stage == Stage.SPLIT) {
        max = selection.largestSplitQuota();
      } else {
        for (long q : selection.targets().values()) {
          max = Math.max(max, q);
        }
      }
      if (max > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("a quota above " + Integer.MAX_VALUE + " records");
      }
      return (int) max;
    }
  }

  static long quotaOf(Selection selection, Stage stage, String key) {
    if (stage == Stage.SPLIT) {
      return selection.splitQuota(key);
    }
    return selection.target(key);
  }

  private static String keyOf(Stage stage, KV<String, Conversation> kv) {
    return stage == Stage.SPLIT ? kv.getValue().split() : kv.getKey();
  }

  /** (rank, id) of each record under a quota, keyed by split or stratum. */
  private static final class RankFn extends DoFn<KV<String, Conversation>, KV<String, KV<Long, String>>> {
    private final Selection selection;
    private final Stage stage;

    RankFn(Selection selection, Stage stage) {
      this.selection = selection;
      this.stage = stage;
    }

    @ProcessElement
    public void process(@Element KV<String, Conversation> kv,
        OutputReceiver<KV<String, KV<Long, String>>> out) {
      String key = keyOf(stage, kv);
      if (quotaOf(selection, stage, key) > 0) {
        String id = kv.getValue().recordId();
        out.output(KV.of(key, KV.of(SelectionRank.of(selection.seed(), id), id)));
      }
    }
  }

  /** Top keeps the "largest": make the lowest rank the largest. */
  private static final class HighestFirst
      implements java.util.Comparator<KV<Long, String>>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(KV<Long, String> a, KV<Long, String> b) {
      return SelectionRank.LOWEST_FIRST.compare(b, a);
    }
  }

  /** The quota-th lowest (rank, id) of a key, or its highest when it has fewer records. */
  private static final class CutoffFn
      extends DoFn<KV<String, List<KV<Long, String>>>, KV<String, KV<Long, String>>> {
    private final Selection selection;
    private final Stage stage;

    CutoffFn(Selection selection, Stage stage) {
      this.selection = selection;
      this.stage = stage;
    }

    @ProcessElement
    public void process(@Element KV<String, List<KV<Long, String>>> top,
        OutputReceiver<KV<String, KV<Long, String>>> out) {
      List<KV<Long, String>> lowest = new ArrayList<>(top.getValue());
      lowest.sort(SelectionRank.LOWEST_FIRST);
      long quota = quotaOf(selection, stage, top.getKey());
      int last = (int) Math.min(quota, lowest.size()) - 1;
      if (last >= 0) {
        out.output(KV.of(top.getKey(), lowest.get(last)));
      }
    }
  }

  private static final class DropAllFn
      extends DoFn<KV<String, KV<Long, String>>, KV<String, KV<Long, String>>> {
    @ProcessElement
    public void process() {}
  }

  private static final class ApplyCutoffFn extends DoFn<KV<String, Conversation>, KV<String, Conversation>> {
    private final Selection selection;
    private final Stage stage;
    private final PCollectionView<Map<String, KV<Long, String>>> cutoffs;

    ApplyCutoffFn(Selection selection, Stage stage,
        PCollectionView<Map<String, KV<Long, String>>> cutoffs) {
      this.selection = selection;
      this.stage = stage;
      this.cutoffs = cutoffs;
    }

    @ProcessElement
    public void process(@Element KV<String, Conversation> kv, ProcessContext context,
        MultiOutputReceiver out) {
      String key = keyOf(stage, kv);
      long quota = quotaOf(selection, stage, key);
      boolean keep;
      if (quota < 0) {
        keep = true;
      } else if (quota == 0) {
        keep = false;
      } else {
        KV<Long, String> cutoff = context.sideInput(cutoffs).get(key);
        String id = kv.getValue().recordId();
        keep = cutoff != null
            && SelectionRank.LOWEST_FIRST.compare(
                KV.of(SelectionRank.of(selection.seed(), id), id), cutoff) <= 0;
      }
      if (keep) {
        out.get(Quota.KEPT).output(kv);
      } else {
        Metrics.counter(NS, "select.not_selected." + stage.reason).inc();
        Conversation c = kv.getValue();
        out.get(Quota.OVER).output(new SelectionOutcome(c.recordId(), c.split(), kv.getKey(), stage.reason,
            (stage == Stage.SPLIT ? "split " + key : "stratum " + (key.isEmpty() ? "-" : key))
                + " quota " + quota));
      }
    }
  }
}
