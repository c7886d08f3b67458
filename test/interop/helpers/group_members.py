"""Consumer-group members of confluent-kafka (librdkafka) and kafka-python, driven by
test/interop/groups.test.ts.

usage: group_members.py confluent BOOTSTRAP GROUP TOPIC STRATEGY ROLE TOTAL
       group_members.py kafka-python BOOTSTRAP GROUP TOPIC STRATEGY ROLE TOTAL
       group_members.py confluent-idle BOOTSTRAP GROUP TOPIC STRATEGY   (joins, consumes until stdin closes)

ROLE "leaver:N": leave the group (close) once N records were processed and the member shares the topic
with another member (its assignment is a strict subset of the partitions).
ROLE "survivor": stay until the group has committed all TOTAL records of the topic (a leaver that
never shared the topic stops there too). Committed offsets come from the coordinator connection; the
log end is not asked for, as that ListOffsets would queue behind the member's long-polling Fetch.

Members commit synchronously after every processed batch and in the revocation callback, so what a
member processed is committed before its partitions move. Prints one JSON document on stdout:
{"consumed": [[partition, offset, key], ...], "events": [["assign"|"revoke"|"lost"|"close", [partitions]], ...],
 "commitErrors": [...], "finalAssignment": [...]}; the TypeScript test makes
every assertion.
"""
import json
import sys
import threading
import time

DEADLINE_S = 60
BATCH = 200
# Slows members down so that a leaver cannot finish the topic alone before the others have joined.
PAUSE_S = 0.05


def parse_role(role):
    if role.startswith("leaver:"):
        return "leaver", int(role.split(":", 1)[1])
    return role, 0


def confluent(bootstrap, group, topic, strategy, role, total):
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    kind, leave_after = parse_role(role)
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "partition.assignment.strategy": strategy,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 300,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    out = {"consumed": [], "events": [], "commitErrors": []}
    assigned = set()

    def commit():
        try:
            consumer.commit(asynchronous=False)
        except KafkaException as err:
            # _NO_OFFSET: nothing consumed since the last commit.
            if err.args[0].name() != "_NO_OFFSET":
                out["commitErrors"].append(err.args[0].name())

    def on_assign(c, partitions):
        out["events"].append(["assign", sorted(p.partition for p in partitions)])
        assigned.update(p.partition for p in partitions)

    def on_revoke(c, partitions):
        commit()
        out["events"].append(["revoke", sorted(p.partition for p in partitions)])
        assigned.difference_update(p.partition for p in partitions)

    def on_lost(c, partitions):
        out["events"].append(["lost", sorted(p.partition for p in partitions)])
        assigned.difference_update(p.partition for p in partitions)

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    partitions = None
    deadline = time.time() + DEADLINE_S
    last_check = 0
    while time.time() < deadline:
        messages = consumer.consume(num_messages=BATCH, timeout=0.2)
        got = False
        for m in messages:
            if m.error():
                continue
            out["consumed"].append([m.partition(), m.offset(), m.key().decode()])
            got = True
        if got:
            commit()
            time.sleep(PAUSE_S)
        if partitions is None:
            md = consumer.list_topics(topic, timeout=10)
            partitions = sorted(md.topics[topic].partitions.keys())
        if kind == "leaver" and len(out["consumed"]) >= leave_after and 0 < len(assigned) < len(partitions):
            break
        # Both roles stop once the group has committed everything (a leaver that never shared ends here too).
        if time.time() - last_check > 0.5:
            last_check = time.time()
            committed = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
            if sum(max(c.offset, 0) for c in committed) == int(total):
                break
    out["finalAssignment"] = sorted(assigned)
    # close() revokes what is left; the marker separates that from the rebalances.
    out["events"].append(["close", []])
    consumer.close()
    return out


def kafka_python(bootstrap, group, topic, strategy, role, total):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

    kind, leave_after = parse_role(role)
    assignors = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        partition_assignment_strategy=[assignors[s] for s in strategy.split(",")],
        session_timeout_ms=10000,
        heartbeat_interval_ms=300,
        metadata_max_age_ms=1000,
    )
    out = {"consumed": [], "events": [], "commitErrors": []}
    assigned = set()

    def commit():
        try:
            consumer.commit()
        except Exception as err:  # CommitFailedError and friends: recorded, the test decides
            out["commitErrors"].append(type(err).__name__)

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            commit()
            out["events"].append(["revoke", sorted(p.partition for p in revoked)])
            assigned.difference_update(p.partition for p in revoked)

        def on_partitions_assigned(self, newly):
            out["events"].append(["assign", sorted(p.partition for p in newly)])
            assigned.update(p.partition for p in newly)

    consumer.subscribe([topic], listener=Listener())
    partitions = None
    deadline = time.time() + DEADLINE_S
    last_check = 0
    while time.time() < deadline:
        batches = consumer.poll(timeout_ms=200, max_records=BATCH)
        got = False
        for records in batches.values():
            for m in records:
                out["consumed"].append([m.partition, m.offset, m.key.decode()])
                got = True
        if got:
            commit()
            time.sleep(PAUSE_S)
        if partitions is None:
            found = consumer.partitions_for_topic(topic)
            partitions = sorted(found) if found else None
            if partitions is None:
                continue
        if kind == "leaver" and len(out["consumed"]) >= leave_after and 0 < len(assigned) < len(partitions):
            break
        if time.time() - last_check > 0.5:
            last_check = time.time()
            if sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in partitions) == int(total):
                break
    out["finalAssignment"] = sorted(assigned)
    out["events"].append(["close", []])
    consumer.close(autocommit=False)
    return out


def confluent_idle(bootstrap, group, topic, strategy):
    """Joins, consumes with auto-commit, and leaves when stdin closes."""
    from confluent_kafka import Consumer

    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "partition.assignment.strategy": strategy,
        "auto.offset.reset": "earliest",
        "auto.commit.interval.ms": 100,
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 300,
    })
    out = {"consumed": [], "events": [], "commitErrors": []}
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()

    def on_assign(c, partitions):
        out["events"].append(["assign", sorted(p.partition for p in partitions)])

    def on_revoke(c, partitions):
        out["events"].append(["revoke", sorted(p.partition for p in partitions)])

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    print("subscribed", file=sys.stderr, flush=True)
    deadline = time.time() + DEADLINE_S
    while not stop.is_set() and time.time() < deadline:
        for m in consumer.consume(num_messages=BATCH, timeout=0.1):
            if not m.error():
                out["consumed"].append([m.partition(), m.offset(), m.key().decode()])
    consumer.close()
    return out


def main(argv):
    mode = argv[1]
    if mode == "confluent":
        out = confluent(*argv[2:8])
    elif mode == "kafka-python":
        out = kafka_python(*argv[2:8])
    elif mode == "confluent-idle":
        out = confluent_idle(*argv[2:6])
    else:
        raise SystemExit("unknown mode " + mode)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
