import pytest

from devices.errors import DeviceOfflineError
from pos_terminal.device_hub.journal import DeviceJournal, JobStatus
from pos_terminal.device_hub.printing import PrintSpooler


def test_job_is_in_the_journal_before_the_printer_sees_a_byte(receipt, journal, printer):
    seen_in_journal: list[JobStatus] = []

    def spy(data: bytes) -> None:
        seen_in_journal.extend(j.status for j in journal.jobs())
        raise DeviceOfflineError("unplugged mid-job")

    printer.print_bytes = spy
    PrintSpooler(printer, journal).print_receipt(receipt)
    assert seen_in_journal == [JobStatus.SENDING]


def test_receipt_printed_on_a_healthy_printer_is_done(receipt, journal, printer):
    outcome = PrintSpooler(printer, journal).print_receipt(receipt)
    assert outcome.printed and outcome.copy_no == 0
    assert journal.job(outcome.job_id).status is JobStatus.DONE
    assert len(printer.jobs) == 1 and b"COPY" not in printer.jobs[0]


def test_unplugged_printer_keeps_the_job_and_prints_the_original_once_back(
    receipt, journal, printer
):
    spooler = PrintSpooler(printer, journal)
    printer.offline = True
    outcome = spooler.print_receipt(receipt)
    assert outcome.status is JobStatus.WAITING
    assert printer.jobs == []

    printer.offline = False
    [recovered] = spooler.recover()
    assert recovered.printed and recovered.copy_no == 0
    assert b"COPY" not in printer.jobs[0]


def test_paper_out_during_a_job_ends_in_a_copy_after_new_paper(receipt, journal, printer):
    spooler = PrintSpooler(printer, journal)
    printer.paper_runs_out_during_next_job = True
    outcome = spooler.print_receipt(receipt)
    assert outcome.status is JobStatus.INTERRUPTED
    assert outcome.error == "paper out"

    assert spooler.recover()[0].status is JobStatus.INTERRUPTED  # still no paper: nothing sent
    assert len(printer.jobs) == 1

    printer.load_paper()
    [reprint] = spooler.recover()
    assert reprint.printed and reprint.copy_no == 1
    assert "*** COPY 1 重印 ***".encode("gb18030") in printer.jobs[-1]
    assert journal.job(outcome.job_id).copies == 1


def test_every_reprint_is_counted(receipt, journal, printer):
    spooler = PrintSpooler(printer, journal)
    printer.paper_runs_out_during_next_job = True
    job_id = spooler.print_receipt(receipt).job_id
    printer.load_paper()
    printer.paper_runs_out_during_next_job = True
    assert spooler.recover()[0].copy_no == 1
    printer.load_paper()
    assert spooler.recover()[0].copy_no == 2
    assert journal.job(job_id).copies == 2
    assert b"COPY 2" in printer.jobs[-1]


def test_job_cut_off_by_a_till_restart_is_reprinted_as_copy(receipt, tmp_path, printer):
    database = tmp_path / "till.db"
    journal = DeviceJournal(database)
    job = journal.record_job("receipt", receipt.receipt_no, _json(receipt))
    journal.mark_sending(job.id, 0)  # then the till lost power

    after_restart = DeviceJournal(database)
    assert after_restart.recover_after_restart() == 1
    [outcome] = PrintSpooler(printer, after_restart).recover()
    assert outcome.printed and outcome.copy_no == 1


def test_recovery_prints_open_jobs_oldest_first(journal, printer, receipt):
    import dataclasses

    spooler = PrintSpooler(printer, journal)
    printer.offline = True
    for n in (1, 2, 3):
        spooler.print_receipt(dataclasses.replace(receipt, receipt_no=f"R{n}"))
    printer.offline = False
    outcomes = spooler.recover()
    assert [journal.job(o.job_id).document_no for o in outcomes] == ["R1", "R2", "R3"]
    assert spooler.pending() == []


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///{tmp}/j.db", "{tmp}/plain.db"])
def test_journal_accepts_urls_and_paths(url, tmp_path):
    journal = DeviceJournal(url.format(tmp=tmp_path))
    job = journal.record_job("test-page", "test", "")
    assert journal.job(job.id).status is JobStatus.QUEUED


def _json(receipt):
    from pos_terminal.device_hub.receipt_codec import receipt_to_json

    return receipt_to_json(receipt)
