"""No secret reaches the output: config values of secret-looking, unknown or malformed keys are
never printed, at any verbosity, including librdkafka's own text (-X debug=all). Each case runs
the binary and greps stdout and stderr for the secret, and checks that the run got where the case
leads: its exit status and the line saying so (connected and produced, refused the property,
failed the SASL handshake), so that a binary that exits at once fails every case."""
import pytest

from helpers import run_orders

SECRET = "Hunter2Secret"


def config_cases():
    """case -> (file text, outcomes): outcomes are the (exit status, texts on stderr) the run may
    end with; two where it depends on how librdkafka was built (OAuth/OIDC support)."""
    jaas = ("sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\\n"
            f'    username="alice" \\\n    password="{SECRET}";\n')
    sasl_refused = [(1, ["cannot reach Kafka at", "SASL PLAIN mechanism handshake failed"])]
    oauth_unsupported = "not supported in this build"
    return {
        # Space- and colon-separated: valid Java properties, and really used as the password
        # (the broker has no SASL listener: the handshake fails).
        "space-separated": (f"sasl.password {SECRET}\nsecurity.protocol SASL_PLAINTEXT\n"
                            "sasl.mechanism PLAIN\nsasl.username alice\n", sasl_refused),
        "colon-separated": ("security.protocol: SASL_PLAINTEXT\nsasl.mechanism: PLAIN\n"
                            f"sasl.username: alice\nsasl.password: {SECRET}\n", sasl_refused),
        "typo": (f"sasl.pasword={SECRET}\n",
                 [(2, ["unknown Kafka property sasl.pasword (its value is not shown)"])]),
        "jaas-continuation": (jaas, [(2, ["invalid value for Kafka property sasl.jaas.config"])]),
        "broken-continuation": (f"sasl.jaas.config=x required\n    password=\"{SECRET}\";\n",
                                [(2, ["invalid value for Kafka property sasl.jaas.config"])]),
        "lost-key": (f"acks=all\n{SECRET}\n",
                     [(2, ["client.properties:2: expected 'key=value'", "not shown"])]),
        # No SSL listener involved: the key password is never used, the order is produced.
        "ssl-key-password": (f"ssl.key.password={SECRET}\n",
                             [(0, ["Message delivered to", "Messages produced: 1"])]),
        "bad-value-of-secret-key": (
            f"sasl.oauthbearer.method={SECRET}\n",
            [(2, ["invalid value for Kafka property sasl.oauthbearer.method"])]),
        "extensions": (("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\n"
                        "enable.sasl.oauthbearer.unsecure.jwt=true\n"
                        "sasl.oauthbearer.config=principal=alice\n"
                        f"sasl.oauthbearer.extensions=traceId={SECRET}\n"),
                       [(2, ["invalid value for Kafka property sasl.oauthbearer.extensions",
                             oauth_unsupported]),
                        (1, ["cannot reach Kafka at"])]),
        "oauthbearer-config": (("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\n"
                                "enable.sasl.oauthbearer.unsecure.jwt=true\n"
                                f"sasl.oauthbearer.config=principal=alice bogus={SECRET}\n"),
                               [(1, ["cannot reach Kafka at"]),
                                (2, ["invalid value for Kafka property sasl.oauthbearer.config",
                                     oauth_unsupported])]),
    }


def x_cases():
    """case -> (-X arguments, (exit status, text on stderr)), the same for every subcommand."""
    return {
        "x-password": (["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=PLAIN",
                        "-X", "sasl.username=alice", "-X", f"sasl.password={SECRET}"],
                       (1, "SASL PLAIN mechanism handshake failed")),
        "x-typo": (["-X", f"sasl.passwd={SECRET}"],
                   (2, "unknown Kafka property sasl.passwd (its value is not shown)")),
        "x-no-equals": (["-X", SECRET], (2, "expected -X key=value (the argument is not shown")),
        "x-token": (["-X", f"my.api.token={SECRET}"],
                    (2, "unknown Kafka property my.api.token (its value is not shown)")),
    }


def assert_not_shown(proc, case):
    out = proc.stdout + proc.stderr
    assert SECRET not in out, f"{case}: the secret was printed:\n{out[-4000:]}"
    assert "Traceback" not in out and "AddressSanitizer" not in out, out[-3000:]


def assert_outcome(proc, case, outcomes):
    """The run ended as one of `outcomes` ((status, [texts on stderr or stdout])) says."""
    out = proc.stdout + proc.stderr
    for status, texts in outcomes:
        if proc.returncode == status:
            missing = [t for t in texts if t not in out]
            assert not missing, f"{case}: exit {status} without {missing}:\n{out[-3000:]}"
            return
    assert False, (f"{case}: exit {proc.returncode}, expected one of "
                   f"{[s for s, _ in outcomes]}:\n{out[-3000:]}")


@pytest.mark.parametrize("verbosity", [["-v"], ["-vv"], ["-vv", "-X", "debug=all"]])
@pytest.mark.parametrize("case", sorted(config_cases()))
def test_config_file_secrets_are_never_printed(orders_bin, bootstrap, topic_factory, tmp_path, case,
                                               verbosity):
    topic = topic_factory("secrets", partitions=1)  # some configs do reach the broker
    conf = tmp_path / "client.properties"
    text, outcomes = config_cases()[case]
    conf.write_text(text)
    proc = run_orders(orders_bin, "produce", 1, "--topic", topic, "--bootstrap", bootstrap,
                      "--config", conf, "--connect-timeout", "3", "--flush-timeout", "3",
                      *verbosity, timeout=60)
    assert_not_shown(proc, case)
    assert_outcome(proc, case, outcomes)


@pytest.mark.parametrize("case", sorted(x_cases()))
def test_x_secrets_are_never_printed(orders_bin, bootstrap, topic_factory, case):
    # None of these configs can connect (SASL against a plaintext listener, or refused at once),
    # so nothing is created; the topics exist anyway in case one did.
    topic = topic_factory("secrets-x", partitions=1)
    args, (status, says) = x_cases()[case]
    for sub in (["produce", 1, "--topic", topic, "--connect-timeout", "3", "--flush-timeout", "3"],
                ["consume", "--topic", topic, "--dlq-topic", topic + "-dlq", "--aggregates-topic",
                 topic + "-agg", "--idle-exit", "1s"],
                ["stats", "--topic", topic, "--aggregates-topic", topic, "--timeout", "3s"]):
        proc = run_orders(orders_bin, *sub, "--bootstrap", bootstrap, "-vv", *args, timeout=60)
        assert_not_shown(proc, f"{case} {sub[0]}")
        assert_outcome(proc, f"{case} {sub[0]}", [(status, [says])])


def test_unknown_and_malformed_keys_say_where(orders_bin, tmp_path):
    conf = tmp_path / "client.properties"
    conf.write_text(f"acks=all\n{SECRET}\n")
    proc = run_orders(orders_bin, "produce", 1, "--bootstrap", "127.0.0.1:1", "--config", conf,
                      timeout=30)
    assert proc.returncode == 2
    assert f"{conf}:2" in proc.stderr and "not shown" in proc.stderr
    conf.write_text(f"sasl.pasword {SECRET}\n")
    proc = run_orders(orders_bin, "produce", 1, "--bootstrap", "127.0.0.1:1", "--config", conf,
                      timeout=30)
    assert proc.returncode == 2
    assert "sasl.pasword" in proc.stderr and "No such configuration property" in proc.stderr
    assert SECRET not in proc.stderr


def test_plain_settings_stay_readable(orders_bin, tmp_path):
    # Masking must not eat what is no secret: the debug line shows known, plain values.
    conf = tmp_path / "client.properties"
    conf.write_text(f"linger.ms 7\nsasl.password {SECRET}\n")
    proc = run_orders(orders_bin, "produce", 1, "--bootstrap", "127.0.0.1:1", "--config", conf,
                      "--connect-timeout", "1", "-vv", timeout=30)
    assert_not_shown(proc, "plain")
    assert proc.returncode == 1 and "cannot reach Kafka at 127.0.0.1:1" in proc.stderr, proc.stderr
    line = next(x for x in proc.stderr.splitlines() if "producer config:" in x)
    assert "bootstrap.servers=127.0.0.1:1" in line and "linger.ms=7" in line, line
    assert "sasl.password=******" in line, line
