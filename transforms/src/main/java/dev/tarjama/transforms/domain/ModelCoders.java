package dev.tarjama.transforms.domain;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Explicit, compact coders for the domain types (registered with {@code @DefaultCoder} on each
 * class). Beam schema coders worked too, but a runner translates a ParDo's coders for every bundle
 * on the DirectRunner, and Java-serializing the nested schema coders took 40% of a run's CPU there.
 * These coders serialize to a few bytes and encode fields in a fixed order: deterministic.
 */
public final class ModelCoders {
  private ModelCoders() {}

  /**
   * A coder from a write and a read function over data streams: deterministic, no nulls. The base
   * of {@link Typed}, which every explicit coder of the project's types (here and in other
   * packages) extends.
   */
  public abstract static class Base<T> extends AtomicCoder<T> {
    protected abstract void write(T value, DataOutputStream out) throws IOException;

    protected abstract T read(DataInputStream in) throws IOException;

    @Override
    public final void encode(T value, OutputStream os) throws IOException {
      if (value == null) {
        throw new CoderException("cannot encode null " + getClass().getSimpleName());
      }
      DataOutputStream out = new DataOutputStream(os);
      write(value, out);
      out.flush();
    }

    @Override
    public final T decode(InputStream is) throws IOException {
      return read(new DataInputStream(is));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }

  /** Writes a value's fields: the encoding half of a {@link Typed} coder. */
  @FunctionalInterface
  public interface Writer<T> extends Serializable {
    void write(DataOutputStream out, T value) throws IOException;
  }

  /** Reads what a {@link Writer} wrote. */
  @FunctionalInterface
  public interface Reader<T> extends Serializable {
    T read(DataInputStream in) throws IOException;
  }

  /**
   * A coder made of a writer and a reader, so that each element type's coder is its pair of
   * functions and nothing else (a class of its own still, for {@code @DefaultCoder} and for
   * coder equality, which compares classes).
   */
  public abstract static class Typed<T> extends Base<T> {
    private final Writer<T> writer;
    private final Reader<T> reader;

    protected Typed(Writer<T> writer, Reader<T> reader) {
      this.writer = writer;
      this.reader = reader;
    }

    @Override
    protected final void write(T value, DataOutputStream out) throws IOException {
      writer.write(out, value);
    }

    @Override
    protected final T read(DataInputStream in) throws IOException {
      return reader.read(in);
    }
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static void writeStrings(DataOutputStream out, List<String> list) throws IOException {
    out.writeInt(list.size());
    for (String s : list) {
      writeString(out, s);
    }
  }

  static List<String> readStrings(DataInputStream in) throws IOException {
    int n = in.readInt();
    List<String> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(readString(in));
    }
    return list;
  }

  static <T> void writeList(DataOutputStream out, List<T> list, Writer<T> writer)
      throws IOException {
    out.writeInt(list.size());
    for (T t : list) {
      writer.write(out, t);
    }
  }

  static <T> List<T> readList(DataInputStream in, Reader<T> reader) throws IOException {
    int n = in.readInt();
    List<T> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(reader.read(in));
    }
    return list;
  }

  // ---- field-by-field writers and readers, one place per type ----

  static void writeRecordKey(DataOutputStream out, RecordKey k) throws IOException {
    writeString(out, k.location());
    writeString(out, k.userId());
  }

  static RecordKey readRecordKey(DataInputStream in) throws IOException {
    return new RecordKey(readString(in), readString(in));
  }

  static void writeSourceRecord(DataOutputStream out, SourceRecord r) throws IOException {
    writeRecordKey(out, r.key());
    writeString(out, r.file());
    out.writeLong(r.index());
    writeString(out, r.json());
  }

  static SourceRecord readSourceRecord(DataInputStream in) throws IOException {
    return new SourceRecord(readRecordKey(in), readString(in), in.readLong(), readString(in));
  }

  static void writeTextField(DataOutputStream out, TextField f) throws IOException {
    writeString(out, f.pointer());
    writeString(out, f.role());
    writeString(out, f.kind());
    writeString(out, f.text());
  }

  static TextField readTextField(DataInputStream in) throws IOException {
    return new TextField(readString(in), readString(in), readString(in), readString(in));
  }

  static void writeConversation(DataOutputStream out, Conversation c) throws IOException {
    writeString(out, c.recordId());
    writeString(out, c.split());
    writeString(out, c.format());
    writeString(out, c.json());
    writeList(out, c.fields(), ModelCoders::writeTextField);
  }

  static Conversation readConversation(DataInputStream in) throws IOException {
    return new Conversation(
        readString(in), readString(in), readString(in), readString(in),
        readList(in, ModelCoders::readTextField));
  }

  static void writePiece(DataOutputStream out, Piece p) throws IOException {
    out.writeBoolean(p.prose());
    writeString(out, p.spanType());
    writeString(out, p.text());
    writeStrings(out, p.spans());
    writeStrings(out, p.spanTypes());
  }

  static Piece readPiece(DataInputStream in) throws IOException {
    return new Piece(
        in.readBoolean(), readString(in), readString(in), readStrings(in), readStrings(in));
  }

  static void writeSegmentedRecord(DataOutputStream out, SegmentedRecord r) throws IOException {
    writeConversation(out, r.conversation());
    writeList(out, r.fields(), (o, f) -> {
      o.writeInt(f.fieldIndex());
      writeList(o, f.pieces(), ModelCoders::writePiece);
    });
  }

  static SegmentedRecord readSegmentedRecord(DataInputStream in) throws IOException {
    Conversation c = readConversation(in);
    return new SegmentedRecord(
        c, readList(in, i -> new FieldSegments(i.readInt(), readList(i, ModelCoders::readPiece))));
  }

  static void writeChunk(DataOutputStream out, Chunk c) throws IOException {
    writeString(out, c.recordId());
    writeString(out, c.split());
    out.writeInt(c.chunkIndex());
    out.writeInt(c.fieldIndex());
    writeString(out, c.text());
    writeStrings(out, c.spans());
    writeStrings(out, c.spanTypes());
    out.writeInt(c.tokens());
  }

  static Chunk readChunk(DataInputStream in) throws IOException {
    return new Chunk(
        readString(in), readString(in), in.readInt(), in.readInt(), readString(in),
        readStrings(in), readStrings(in), in.readInt());
  }

  static void writeRecordPlan(DataOutputStream out, RecordPlan p) throws IOException {
    writeConversation(out, p.conversation());
    writeList(out, p.fields(), (o, f) -> {
      o.writeInt(f.fieldIndex());
      writeList(o, f.parts(), (o2, part) -> {
        o2.writeInt(part.chunkIndex());
        writeString(o2, part.text());
      });
    });
    writeList(out, p.chunks(), ModelCoders::writeChunk);
  }

  static RecordPlan readRecordPlan(DataInputStream in) throws IOException {
    Conversation c = readConversation(in);
    List<FieldPlan> fields =
        readList(in, i -> new FieldPlan(
            i.readInt(), readList(i, i2 -> new PlanPart(i2.readInt(), readString(i2)))));
    return new RecordPlan(c, fields, readList(in, ModelCoders::readChunk));
  }

  static void writeChunkTranslation(DataOutputStream out, ChunkTranslation t) throws IOException {
    writeString(out, t.recordId());
    out.writeInt(t.chunkIndex());
    writeString(out, t.backend());
    out.writeInt(t.candidate());
    writeString(out, t.source());
    writeString(out, t.text());
    writeString(out, t.error());
    out.writeLong(t.tokensIn());
    out.writeLong(t.tokensOut());
    out.writeBoolean(t.truncated());
    writeString(out, t.meaning());
  }

  static ChunkTranslation readChunkTranslation(DataInputStream in) throws IOException {
    return new ChunkTranslation(
        readString(in), in.readInt(), readString(in), in.readInt(), readString(in),
        readString(in), readString(in), in.readLong(), in.readLong(), in.readBoolean(),
        readString(in));
  }

  public static void writeCandidate(DataOutputStream out, Candidate c) throws IOException {
    writeString(out, c.recordId());
    writeString(out, c.split());
    writeString(out, c.backend());
    out.writeInt(c.candidate());
    writeString(out, c.json());
    out.writeBoolean(c.valid());
    writeString(out, c.reason());
    writeString(out, c.sourceText());
    writeString(out, c.targetText());
    out.writeDouble(c.lr());
    out.writeDouble(c.scr());
    out.writeBoolean(c.scrFlagged());
    out.writeDouble(c.reward());
    out.writeDouble(c.rankScore());
    out.writeLong(c.tokensIn());
    out.writeLong(c.tokensOut());
    writeQuality(out, c.quality());
  }

  private static void writeQuality(DataOutputStream out, QualityMeasures q) throws IOException {
    out.writeInt(q.asMap().size());
    for (java.util.Map.Entry<String, QualityMeasures.Measure> e : q.asMap().entrySet()) {
      writeString(out, e.getKey());
      out.writeDouble(e.getValue().value());
      out.writeBoolean(e.getValue().judged());
      writeString(out, e.getValue().detail());
    }
  }

  private static QualityMeasures readQuality(DataInputStream in) throws IOException {
    int n = in.readInt();
    java.util.TreeMap<String, QualityMeasures.Measure> m = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      String name = readString(in);
      m.put(name, new QualityMeasures.Measure(in.readDouble(), in.readBoolean(), readString(in)));
    }
    return QualityMeasures.of(m);
  }

  public static Candidate readCandidate(DataInputStream in) throws IOException {
    return new Candidate(
        readString(in), readString(in), readString(in), in.readInt(), readString(in),
        in.readBoolean(), readString(in), readString(in), readString(in), in.readDouble(),
        in.readDouble(), in.readBoolean(), in.readDouble(), in.readDouble(), in.readLong(),
        in.readLong(), readQuality(in));
  }

  static void writeDeadLetter(DataOutputStream out, DeadLetter d) throws IOException {
    writeString(out, d.recordId());
    writeString(out, d.stage());
    writeString(out, d.field());
    writeString(out, d.error());
    writeString(out, d.original());
    out.writeBoolean(d.originalBase64());
    out.writeLong(d.originalLength());
  }

  static DeadLetter readDeadLetter(DataInputStream in) throws IOException {
    return new DeadLetter(
        readString(in), readString(in), readString(in), readString(in), readString(in),
        in.readBoolean(), in.readLong());
  }

  static void writeCandidateKey(DataOutputStream out, CandidateKey key) throws IOException {
    writeString(out, key.recordId());
    writeString(out, key.backend());
    out.writeInt(key.candidate());
  }

  static CandidateKey readCandidateKey(DataInputStream in) throws IOException {
    return new CandidateKey(readString(in), readString(in), in.readInt());
  }

  /** The coder of {@link RecordKey}: its location, then the user's id. */
  public static final class RecordKeyCoder extends Typed<RecordKey> {
    public RecordKeyCoder() {
      super(ModelCoders::writeRecordKey, ModelCoders::readRecordKey);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(RecordKey.class), new RecordKeyCoder());
    }
  }

  /** The coder of {@link CandidateKey}: record id, backend, candidate index. */
  public static final class CandidateKeyCoder extends Typed<CandidateKey> {
    public CandidateKeyCoder() {
      super(ModelCoders::writeCandidateKey, ModelCoders::readCandidateKey);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(CandidateKey.class), new CandidateKeyCoder());
    }
  }

  /** The coder of {@link SourceRecord}. */
  public static final class SourceRecordCoder extends Typed<SourceRecord> {
    public SourceRecordCoder() {
      super(ModelCoders::writeSourceRecord, ModelCoders::readSourceRecord);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(SourceRecord.class), new SourceRecordCoder());
    }
  }

  /** The coder of {@link Conversation}. */
  public static final class ConversationCoder extends Typed<Conversation> {
    public ConversationCoder() {
      super(ModelCoders::writeConversation, ModelCoders::readConversation);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(Conversation.class), new ConversationCoder());
    }
  }

  /** The coder of {@link SegmentedRecord}. */
  public static final class SegmentedRecordCoder extends Typed<SegmentedRecord> {
    public SegmentedRecordCoder() {
      super(ModelCoders::writeSegmentedRecord, ModelCoders::readSegmentedRecord);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(SegmentedRecord.class), new SegmentedRecordCoder());
    }
  }

  /** The coder of {@link Chunk}. */
  public static final class ChunkCoder extends Typed<Chunk> {
    public ChunkCoder() {
      super(ModelCoders::writeChunk, ModelCoders::readChunk);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(Chunk.class), new ChunkCoder());
    }
  }

  /** The coder of {@link RecordPlan}. */
  public static final class RecordPlanCoder extends Typed<RecordPlan> {
    public RecordPlanCoder() {
      super(ModelCoders::writeRecordPlan, ModelCoders::readRecordPlan);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(RecordPlan.class), new RecordPlanCoder());
    }
  }

  /** The coder of {@link ChunkTranslation}. */
  public static final class ChunkTranslationCoder extends Typed<ChunkTranslation> {
    public ChunkTranslationCoder() {
      super(ModelCoders::writeChunkTranslation, ModelCoders::readChunkTranslation);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(ChunkTranslation.class), new ChunkTranslationCoder());
    }
  }

  /** The coder of {@link Candidate}. */
  public static final class CandidateCoder extends Typed<Candidate> {
    public CandidateCoder() {
      super(ModelCoders::writeCandidate, ModelCoders::readCandidate);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(Candidate.class), new CandidateCoder());
    }
  }

  /** The coder of {@link DeadLetter}. */
  public static final class DeadLetterCoder extends Typed<DeadLetter> {
    public DeadLetterCoder() {
      super(ModelCoders::writeDeadLetter, ModelCoders::readDeadLetter);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(DeadLetter.class), new DeadLetterCoder());
    }
  }

  /** Public helpers for coders of types outside this package that embed model types. */
  public static void writeUtf8(DataOutputStream out, String s) throws IOException {
    writeString(out, s);
  }

  public static String readUtf8(DataInputStream in) throws IOException {
    return readString(in);
  }
}
