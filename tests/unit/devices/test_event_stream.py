import itertools

from pos_terminal.device_hub.event_stream import EventBroker, HubEvent, format_sse


def test_event_is_formatted_as_server_sent_event():
    text = format_sse(HubEvent("scan", {"data": "6901234567892", "name": "可乐"}))
    assert text == 'event: scan\ndata: {"data":"6901234567892","name":"可乐"}\n\n'


def test_every_subscriber_gets_every_event():
    broker = EventBroker()
    a, b = broker.subscribe(), broker.subscribe()
    broker.publish(HubEvent("scan", {"data": "1"}))
    assert a.get_nowait().data == b.get_nowait().data == {"data": "1"}


def test_slow_subscriber_loses_oldest_events_and_publisher_never_blocks():
    broker = EventBroker(backlog=2)
    q = broker.subscribe()
    for n in range(5):
        broker.publish(HubEvent("scan", {"n": n}))
    assert [q.get_nowait().data["n"] for _ in range(2)] == [3, 4]


def test_stream_sends_first_event_then_keepalives_and_unsubscribes_when_closed():
    broker = EventBroker()
    stream = broker.sse(first=HubEvent("display", {"total": 0}), keepalive=0.01)
    assert broker.subscriber_count == 1  # subscribed before the first read
    chunks = list(itertools.islice(stream, 3))
    assert chunks[0] == "retry: 1000\n\n"
    assert chunks[1].startswith("event: display")
    assert chunks[2] == ": keepalive\n\n"
    stream.close()
    assert broker.subscriber_count == 0
