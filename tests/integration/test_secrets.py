"""No secret reaches the output: config values of secret-looking, unknown or malformed keys are
never printed, at any verbosity, including librdkafka's own text (-X debug=all). Each case runs
the binary and greps stdout and stderr for the secret."""
import pytest

from helpers import run_orders

SECRET = "Hunter2Secret"


def config_cases():
    jaas = ("sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\\n"
            f'    username="alice" \\\n    password="{SECRET}";\n')
    return {
        # Space- and colon-separated: valid Java properties, and really used as the password.
        "space-separated": (f"sasl.password {SECRET}\nsecurity.protocol SASL_PLAINTEXT\n"
                            "sasl.mechanism PLAIN\nsasl.username alice\n"),
        "colon-separated": ("security.protocol: SASL_PLAINTEXT\nsasl.mechanism: PLAIN\n"
                            f"sasl.username: alice\nsasl.password: {SECRET}\n"),
        "typo": f"sasl.pasword={SECRET}\n",
        "jaas-continuation": jaas,
        "broken-continuation": f"sasl.jaas.config=x required\n    password=\"{SECRET}\";\n",
        "lost-key": f"acks=all\n{SECRET}\n",
        "ssl-key-password": f"ssl.key.password={SECRET}\n",
        "bad-value-of-secret-key": f"sasl.oauthbearer.method={SECRET}\n",
        "extensions": ("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\n"
                       "enable.sasl.oauthbearer.unsecure.jwt=true\n"
                       "sasl.oauthbearer.config=principal=alice\n"
                       f"sasl.oauthbearer.extensions=traceId={SECRET}\n"),
        "oauthbearer-config": ("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\n"
                               "enable.sasl.oauthbearer.unsecure.jwt=true\n"
                               f"sasl.oauthbearer.config=principal=alice bogus={SECRET}\n"),
    }


def x_cases():
    return {
        "x-password": ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=PLAIN",
                       "-X", "sasl.username=alice", "-X", f"sasl.password={SECRET}"],
        "x-typo": ["-X", f"sasl.passwd={SECRET}"],
        "x-no-equals": ["-X", SECRET],
        "x-token": ["-X", f"my.api.token={SECRET}"],
    }


def assert_not_shown(proc, case):
    out = proc.stdout + proc.stderr
    assert SECRET not in out, f"{case}: the secret was printed:\n{out[-4000:]}"
    assert "Traceback" not in out and "AddressSanitizer" not in out, out[-3000:]


@pytest.mark.parametrize("verbosity", [["-v"], ["-vv"], ["-vv", "-X", "debug=all"]])
@pytest.mark.parametrize("case", sorted(config_cases()))
def test_config_file_secrets_are_never_printed(orders_bin, bootstrap, topic_factory, tmp_path, case,
                                               verbosity):
    topic = topic_factory("secrets", partitions=1)  # some configs do reach the broker
    conf = tmp_path / "client.properties"
    conf.write_text(config_cases()[case])
    proc = run_orders(orders_bin, "produce", 1, "--topic", topic, "--bootstrap", bootstrap,
                      "--config", conf, "--connect-timeout", "3", "--flush-timeout", "3",
                      *verbosity, timeout=60)
    assert_not_shown(proc, case)


@pytest.mark.parametrize("case", sorted(x_cases()))
def test_x_secrets_are_never_printed(orders_bin, bootstrap, topic_factory, case):
    # None of these configs can connect (SASL against a plaintext listener, or refused at once),
    # so nothing is created; the topics exist anyway in case one did.
    topic = topic_factory("secrets-x", partitions=1)
    for sub in (["produce", 1, "--topic", topic, "--connect-timeout", "3", "--flush-timeout", "3"],
                ["consume", "--topic", topic, "--dlq-topic", topic + "-dlq", "--aggregates-topic",
                 topic + "-agg", "--idle-exit", "1s"],
                ["stats", "--topic", topic, "--aggregates-topic", topic, "--timeout", "3s"]):
        proc = run_orders(orders_bin, *sub, "--bootstrap", bootstrap, "-vv", *x_cases()[case],
                          timeout=60)
        assert_not_shown(proc, f"{case} {sub[0]}")


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
    line = next(x for x in proc.stderr.splitlines() if "producer config:" in x)
    assert "bootstrap.servers=127.0.0.1:1" in line and "linger.ms=7" in line, line
    assert "sasl.password=******" in line, line
