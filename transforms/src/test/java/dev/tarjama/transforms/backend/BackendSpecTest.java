package dev.tarjama.transforms.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.openai.BackendConfig.CandidateMode;
import dev.tarjama.models.openai.BackendConfig.Endpoint;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.transforms.inference.Batching;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendSpecTest {
  private static final String GEMMA =
      "name=gemma,kind=openai-chat,url=http://127.0.0.1:8000/v1,model=gemma-3-27b,prompt=hala,"
          + "k=2,temperature=0.3,max-tokens=1024,concurrency=16,retries=6,timeout=120s,"
          + "key-env=GEMMA_API_KEY,price-in=0.1,price-out=0.4,label=SFT_Gemma3_ranked";

  @Test
  void parsesTheDocumentedExample() {
    BackendSpec spec = BackendSpec.parse(GEMMA);
    assertEquals("gemma", spec.name());
    assertEquals("SFT_Gemma3_ranked", spec.label());
    assertEquals(BackendSpec.Kind.OPENAI_CHAT, spec.kind());
    assertEquals(2, spec.k());
    assertEquals(PromptTemplate.named("hala"), spec.prompt());
    assertEquals("http://127.0.0.1:8000/v1", spec.config().baseUrl());
    assertEquals("gemma-3-27b", spec.config().model());
    assertEquals(Endpoint.CHAT, spec.config().endpoint());
    assertEquals(0.3, spec.config().temperature());
    assertEquals(1024, spec.config().maxTokens());
    assertEquals(16, spec.concurrency());
    assertEquals(6, spec.config().maxAttempts());
    assertEquals(Duration.ofSeconds(120), spec.config().requestTimeout());
    assertEquals("GEMMA_API_KEY", spec.config().apiKeyEnv());
    assertEquals(CandidateMode.SERVER_N, spec.config().candidateMode());
    assertEquals(1, spec.callsPerChunk());
    // 1M tokens in and 1M out at 0.1 and 0.4 USD per million.
    assertEquals(0.5, spec.costUsd(1_000_000, 1_000_000), 1e-12);
    assertEquals(GEMMA, spec.toString());
  }

  @Test
  void appliesDefaults() {
    BackendSpec spec = BackendSpec.parse("name=local,url=http://127.0.0.1:8001/v1,model=seed-x");
    assertEquals("local", spec.label());
    assertEquals(BackendSpec.Kind.OPENAI_CHAT, spec.kind());
    assertEquals(1, spec.k());
    assertEquals("hala", spec.prompt().name());
    assertTrue(Double.isNaN(spec.config().temperature()));
    assertEquals(0, spec.config().maxTokens());
    assertEquals("", spec.config().apiKeyEnv());
    assertNull(spec.config().seed());
    assertEquals(0, spec.costUsd(1000, 1000));
  }

  @Test
  void parsesBackendPressureOptions() {
    BackendSpec defaults = BackendSpec.parse("name=a,url=http://127.0.0.1:8001/v1,model=m");
    assertTrue(defaults.config().adaptive());
    assertEquals(0, defaults.config().tokensPerMinute());
    assertEquals(0, defaults.config().requestsPerMinute());
    BackendSpec spec =
        BackendSpec.parse(
            "name=a,url=http://127.0.0.1:8001/v1,model=m,concurrency=64,adaptive=false,"
                + "tpm=2000000,rpm=5000");
    assertEquals(64, spec.concurrency());
    assertEquals(false, spec.config().adaptive());
    assertEquals(2_000_000, spec.config().tokensPerMinute());
    assertEquals(5_000, spec.config().requestsPerMinute());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> BackendSpec.parse("name=a,url=http://127.0.0.1:8001/v1,model=m,adaptive=yes"));
    assertTrue(e.getMessage().contains("adaptive=yes"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> BackendSpec.parse("name=a,url=http://127.0.0.1:8001/v1,model=m,tpm=-1"));
    e = assertThrows(IllegalArgumentException.class,
        () -> BackendSpec.parse("name=a,kind=local,path=/x,rpm=10"));
    assertTrue(e.getMessage().contains("rpm does not apply to kind=local"), e.getMessage());
  }

  @Test
  void parsesCompletionsSeededCandidatesAndDurations() {
    BackendSpec spec =
        BackendSpec.parse(
            " name=seedx , kind=openai-completions, url=http://127.0.0.1:8001/v1/,model=Seed-X,"
                + "prompt=seed-x,k=3,candidates=seeds,seed=42,top-p=0.9,timeout=1500ms,"
                + "connect-timeout=2,backoff=250ms,backoff-cap=1m");
    assertEquals(Endpoint.COMPLETIONS, spec.config().endpoint());
    assertEquals("http://127.0.0.1:8001/v1", spec.config().baseUrl());
    assertEquals(CandidateMode.SEEDED_CALLS, spec.config().candidateMode());
    assertEquals(3, spec.callsPerChunk());
    assertEquals(42L, spec.config().seed());
    assertEquals(0.9, spec.config().topP());
    assertEquals(Duration.ofMillis(1500), spec.config().requestTimeout());
    assertEquals(Duration.ofSeconds(2), spec.config().connectTimeout());
    assertEquals(Duration.ofMillis(250), spec.config().backoffBase());
    assertEquals(Duration.ofMinutes(1), spec.config().backoffCap());
    assertEquals(PromptTemplate.named("seed-x"), spec.prompt());
  }

  @Test
  void readsFilePromptsWhenParsed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.txt");
    Files.writeString(file, "Translate into {target_lang}:\n{text}\n");
    BackendSpec spec =
        BackendSpec.parse(
            "name=custom,url=http://h:1/v1,model=m,prompt=file:" + file + ",target-lang=French");
    Files.delete(file); // workers never read it: the template travels inside the spec
    assertEquals("Translate into French:\nBonjour", spec.prompt().render("Bonjour"));
  }

  @Test
  void survivesSerialization() throws Exception {
    BackendSpec spec = BackendSpec.parse(GEMMA);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(spec, in.readObject());
    }
  }

  private static String rejection(String spec) {
    return assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse(spec))
        .getMessage();
  }

  @Test
  void rejectsBadSpecsWithAClearMessage() {
    String base = "name=a,url=http://h:1/v1,model=m";
    assertTrue(rejection(base + ",api-key=sk-123").contains("unknown backend spec key 'api-key'"));
    assertTrue(rejection(base + ",api-key=sk-123").contains("key-env"));
    assertTrue(rejection(base + ",k=2,k=3").contains("'k' given twice"));
    assertTrue(rejection("name=a,model=m").contains("needs url="));
    assertTrue(rejection("url=http://h:1/v1,model=m").contains("needs name="));
    assertTrue(rejection(base + ",kind=tflite").contains("unknown backend kind 'tflite'"));
    assertTrue(rejection(base + ",kind=onnx").contains("url does not apply to kind=local"));
    assertTrue(rejection(base + ",timeout=soon").contains("timeout=soon is not a duration"));
    assertTrue(rejection(base + ",k=0").contains("k=0 is outside"));
    assertTrue(rejection(base + ",temperature=hot").contains("temperature=hot is not a number"));
    assertTrue(rejection(base + ",temperature=5").contains("temperature"));
    assertTrue(rejection(base + ",candidates=all").contains("'n' or 'seeds'"));
    assertTrue(rejection(base + ",prompt=hala-v9").contains("unknown prompt template"));
    assertTrue(rejection(base + ",oops").contains("not key=value"));
    assertTrue(rejection("name=a b,url=http://h:1/v1,model=m").contains("backend name"));
    assertTrue(rejection(base + ",price-in=-1").contains("prices"));
    assertTrue(rejection(base + ",key-env=sk-live-abc").contains("NAME of an environment"));
    assertTrue(rejection("name=a,url=http://user:pw@h/v1,model=m").contains("credentials"));
  }

  @Test
  void parsesALocalBackend() {
    String text =
        "name=tiny-a,kind=local,path=testdata/models/tiny-en-ar-a,decoding=sample,k=2,"
            + "temperature=0.8,top-p=0.95,seed=7,provider=cuda,batch-size=16,batch-tokens=2048,"
            + "buffering=500ms,shards=4,max-tokens=64,label=SFT_tiny_ranked";
    BackendSpec spec = BackendSpec.parse(text);
    assertTrue(spec.isLocal());
    assertEquals(BackendSpec.Kind.LOCAL, spec.kind());
    assertNull(spec.config());
    assertEquals("SFT_tiny_ranked", spec.label());
    assertEquals(2, spec.k());
    LocalModelConfig local = spec.local();
    assertEquals("testdata/models/tiny-en-ar-a", local.path());
    assertEquals(ExecutionProvider.CUDA, local.provider());
    assertEquals(Decoding.Strategy.SAMPLE, local.decoding().strategy());
    assertEquals(2, local.decoding().candidates());
    assertEquals(0.8, local.decoding().temperature());
    assertEquals(0.95, local.decoding().topP());
    assertEquals(7L, local.decoding().seed());
    assertEquals(64, local.decoding().maxLength());
    assertEquals(Batching.of(16, 2048, Duration.ofMillis(500)), local.batching());
    assertEquals(4, local.shards());
    // No prompt wraps a local model's input: a dry run counts the chunk's tokens only.
    assertEquals("", spec.prompt().render(""));
    assertEquals(1, spec.callsPerChunk());
    assertEquals(text, spec.toString());
    assertEquals(spec, BackendSpec.parse(text));
  }

  @Test
  void localDefaultsAreGreedyForOneCandidateAndBeamForMore() {
    LocalModelConfig one = BackendSpec.parse("name=a,kind=onnx,path=/m").local();
    assertEquals(Decoding.greedy(), one.decoding());
    assertEquals(ExecutionProvider.CPU, one.provider());
    assertEquals(Batching.DEFAULT, one.batching());
    assertEquals(1, one.shards());
    Decoding two = BackendSpec.parse("name=a,kind=local,path=/m,k=2").local().decoding();
    assertEquals(Decoding.beam(4, 2), two);
    assertEquals(
        Decoding.beam(6, 3),
        BackendSpec.parse("name=a,kind=local,path=/m,k=3,decoding=beam:6").local().decoding());
  }

  @Test
  void rejectsBadLocalSpecsWithAClearMessage() {
    String base = "name=a,kind=local,path=/m";
    assertTrue(rejection("name=a,kind=local").contains("needs path="));
    assertTrue(rejection(base + ",url=http://h:1/v1").contains("url does not apply to kind=local"));
    assertTrue(rejection(base + ",prompt=hala").contains("prompt does not apply"));
    assertTrue(rejection("name=a,url=http://h:1/v1,model=m,path=/m")
        .contains("path applies to kind=local only"));
    assertTrue(rejection(base + ",k=2,decoding=greedy").contains("greedy decoding gives one"));
    assertTrue(rejection(base + ",k=5,decoding=beam:4").contains("4 < 5"));
    assertTrue(rejection(base + ",decoding=beam:x").contains("beam width is not an integer"));
    assertTrue(rejection(base + ",decoding=nucleus").contains("is not greedy, beam"));
    assertTrue(rejection(base + ",temperature=0.7").contains("apply to decoding=sample"));
    assertTrue(rejection(base + ",decoding=sample,top-p=1.5").contains("top-p"));
    assertTrue(rejection(base + ",decoding=sample,temperature=0").contains("temperature"));
    assertTrue(rejection(base + ",provider=tpu").contains("known: cpu, cuda"));
    assertTrue(rejection(base + ",batch-size=0").contains("batch-size=0 is outside"));
    assertTrue(rejection(base + ",buffering=soon").contains("buffering=soon is not a duration"));
    assertTrue(rejection(base + ",shards=0").contains("shards=0 is outside"));
    assertTrue(rejection(base + ",k=2,decoding=greedy").startsWith("backend a: "));
  }
}
