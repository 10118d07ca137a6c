package dev.tarjama.transforms.bilingual;

import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.rank.RankedRecord;
import dev.tarjama.transforms.report.SumToJson;
import java.util.Iterator;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Bilingual supervision from a translate run, as Hala made it from Open-Orca: for every chosen
 * record that is one instruction and one response ({@link InstructionTurns}), the tuple {@code
 * {id, instr_en, instr_ar, resp_en, resp_ar}} and chat records to fine-tune a translator in both
 * directions ({@link BilingualRecords}).
 *
 * <p>Input: a tuple of {@link #CHOSEN} (ranking's chosen records: the winner's translated JSON)
 * and {@link #CONVERSATIONS} (the normalized source records: English texts, roles, pointers). Each
 * conversation is reduced to its {@link InstructionTurns} first (a few strings), then joined with
 * its chosen record by record id ({@link CoGroupByKey}); records that were rejected or dead-lettered
 * have no chosen translation and give nothing.
 *
 * <p>Outputs ({@link PCollectionTuple}): {@link #TUPLES} and {@link #TRANSLATOR_TRAINING}, JSON
 * lines; {@link #SUMMARY}, one JSON object counting {@code chosen}, {@code tuples}, {@code
 * translator_training} and {@code skipped.<reason>} ({@code multi_turn}, {@code
 * tool_calls_or_typed_parts}, {@code not_instruction_response}), so that chosen = tuples + every
 * skipped. Failure modes: none per element; a chosen record is counted in exactly one place.
 * Counters: {@code bilingual/tuples}, {@code bilingual/skipped.<reason>}.
 */
public final class EmitBilingual extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final TupleTag<RankedRecord> CHOSEN = new TupleTag<>() {};
  public static final TupleTag<Conversation> CONVERSATIONS = new TupleTag<>() {};

  public static final TupleTag<String> TUPLES = new TupleTag<>() {};
  public static final TupleTag<String> TRANSLATOR_TRAINING = new TupleTag<>() {};
  public static final TupleTag<String> SUMMARY = new TupleTag<>() {};
  /** Internal: one event name per chosen record (and per record written). */
  private static final TupleTag<String> EVENTS = new TupleTag<>() {};

  private final BilingualRecords records;

  private EmitBilingual(BilingualRecords records) {
    this.records = records;
  }

  public static EmitBilingual create() {
    return new EmitBilingual(BilingualRecords.defaults());
  }

  /** Translation prompts of the training records (default: Hala's wording, both ways). */
  public EmitBilingual withPrompts(PromptTemplate enToAr, PromptTemplate arToEn) {
    return new EmitBilingual(records.withPrompts(enToAr, arToEn));
  }

  /** A system turn for every translator-training record (default: none). */
  public EmitBilingual withTranslatorSystemPrompt(String system) {
    return new EmitBilingual(records.withTranslatorSystemPrompt(system));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("enToArPrompt", records.enToArPrompt().name())
        .withLabel("English→Arabic prompt"));
    builder.add(DisplayData.item("arToEnPrompt", records.arToEnPrompt().name())
        .withLabel("Arabic→English prompt"));
    builder.addIfNotDefault(DisplayData.item("translatorSystemPrompt", records.translatorSystemPrompt())
        .withLabel("Translator system prompt"), "");
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    TupleTag<InstructionTurns> turnsTag = new TupleTag<>() {};
    TupleTag<RankedRecord> chosenTag = new TupleTag<>() {};
    PCollection<KV<String, InstructionTurns>> turns =
        input.get(CONVERSATIONS)
            .apply("InstructionAndResponse", ParDo.of(new TurnsFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), new InstructionTurns.InstructionTurnsCoder()));
    PCollection<KV<String, RankedRecord>> chosen =
        input.get(CHOSEN)
            .apply("KeyChosen",
                WithKeys.of((RankedRecord r) -> r.recordId()).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), new RankedRecord.RankedRecordCoder()));
    PCollectionTuple built =
        KeyedPCollectionTuple.of(turnsTag, turns)
            .and(chosenTag, chosen)
            .apply("JoinById", CoGroupByKey.create())
            .apply("BuildBilingual",
                ParDo.of(new BuildFn(records, turnsTag, chosenTag))
                    .withOutputTags(TUPLES, TupleTagList.of(TRANSLATOR_TRAINING).and(EVENTS)));
    built.get(TUPLES).setCoder(StringUtf8Coder.of());
    built.get(TRANSLATOR_TRAINING).setCoder(StringUtf8Coder.of());
    PCollection<String> summary =
        built.get(EVENTS)
            .setCoder(StringUtf8Coder.of())
            .apply("CountBilingual", Combine.globally(SumToJson.countingEvents()))
            .setCoder(StringUtf8Coder.of());
    return PCollectionTuple.of(TUPLES, built.get(TUPLES))
        .and(TRANSLATOR_TRAINING, built.get(TRANSLATOR_TRAINING))
        .and(SUMMARY, summary);
  }

  /** A conversation reduced to what the join needs: its instruction/response turns, by id. */
  private static final class TurnsFn extends DoFn<Conversation, KV<String, InstructionTurns>> {
    @ProcessElement
    public void process(@Element Conversation c, OutputReceiver<KV<String, InstructionTurns>> out) {
      out.output(KV.of(c.recordId(), InstructionTurns.of(c)));
    }
  }

  private static final class BuildFn extends DoFn<KV<String, CoGbkResult>, String> {
    private final BilingualRecords records;
    private final TupleTag<InstructionTurns> turnsTag;
    private final TupleTag<RankedRecord> chosenTag;

    BuildFn(BilingualRecords records, TupleTag<InstructionTurns> turnsTag,
        TupleTag<RankedRecord> chosenTag) {
      this.records = records;
      this.turnsTag = turnsTag;
      this.chosenTag = chosenTag;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> joined, MultiOutputReceiver out) {
      Iterator<RankedRecord> chosen = joined.getValue().getAll(chosenTag).iterator();
      if (!chosen.hasNext()) {
        return; // rejected or dead-lettered: no translation to pair with
      }
      RankedRecord record = chosen.next();
      InstructionTurns turns = joined.getValue().getOnly(turnsTag, null);
      out.get(EVENTS).output("chosen");
      if (turns == null) {
        skip(out, "no_source_record");
        return;
      }
      BilingualRecords.Built built = records.build(turns, record.winner().json());
      if (built.tuple() == null) {
        skip(out, built.problem());
        return;
      }
      Metrics.counter("tarjama", "bilingual/tuples").inc();
      out.get(EVENTS).output("tuples");
      out.get(TUPLES).output(built.tuple().toString());
      for (var t : built.training()) {
        out.get(EVENTS).output("translator_training");
        out.get(TRANSLATOR_TRAINING).output(t.toString());
      }
    }

    private static void skip(MultiOutputReceiver out, String reason) {
      Metrics.counter("tarjama", "bilingual/skipped." + reason).inc();
      out.get(EVENTS).output("skipped." + reason);
    }
  }
}
