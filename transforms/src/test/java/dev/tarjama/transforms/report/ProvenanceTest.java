package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvenanceTest {
  @Test
  void secretsAreRedactedAndPointersToThemKept() {
    assertEquals("--api-key=***", Provenance.redact("--api-key=sk-live-123"));
    assertEquals("--cache=redis://***@10.0.0.1:6379/0",
        Provenance.redact("--cache=redis://:hunter2@10.0.0.1:6379/0"));
    assertEquals("--backend=name=g,url=https://***@api.example/v1,key=***,key-env=GEMMA_KEY,"
            + "key-secret=projects/p/secrets/s/versions/1,max-tokens=512",
        Provenance.redact("--backend=name=g,url=https://u:pw@api.example/v1,key=sk-9,"
            + "key-env=GEMMA_KEY,key-secret=projects/p/secrets/s/versions/1,max-tokens=512"));
    assertEquals("--policy=gsm8k_think:min-lr=1.0", Provenance.redact("--policy=gsm8k_think:min-lr=1.0"));
    assertEquals("--tokenizer=../t.json", Provenance.redact("--tokenizer=../t.json"));
    assertEquals("--hf-token=***", Provenance.redact("--hf-token=hf_abc"));
  }

  @Test
  void jsonHoldsVersionTimesAndRedactedCommandLine() {
    JsonNode p = Provenance.json("1.2.3", "tarjama translate",
        List.of("--input=x", "--password=pw1"), Instant.parse("2026-12-02T10:00:00Z"),
        Instant.parse("2026-12-02T10:01:00Z"), Map.of("a", "name=a,url=http://u:pw2@h/,k=1"));
    assertEquals("1.2.3", p.get("version").asText());
    assertEquals("2026-12-02T10:00:00Z", p.get("started").asText());
    assertEquals("2026-12-02T10:01:00Z", p.get("finished").asText());
    assertEquals("tarjama translate", p.get("command_line").get(0).asText());
    String text = p.toString();
    assertFalse(text.contains("pw1") || text.contains("pw2"), text);
    assertTrue(text.contains("--input=x"), text);
  }
}
