"""The seeds' story in a real browser: Debian's chromium, headless,
driven through chromium-driver by python3-selenium, against the real
unioncard-server on a fresh ledger.  A clerk uploads a member list with
errors, sees every one of them, fixes the file and sends the members up;
the district approver rejects one and approves the rest; the clerk makes
a print request and sends it; the approver approves it; the province
accepts it; the cards are encoded by `unioncard encode` on virtual
cards and show as encoded in the browser.  Each page's screenshot is kept in
$UC_BUILD_DIR/web-screenshots/ (the test's artifacts)."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from weblib import Fixture, HEADER, GOOD_ROWS, PASSWORD, fail, ok

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SHOTS = os.path.join(os.environ["UC_BUILD_DIR"], "web-screenshots")
shutil.rmtree(SHOTS, ignore_errors=True)
os.makedirs(SHOTS)

fx = Fixture()
profile = tempfile.mkdtemp(prefix="uc-chromium.", dir=fx.tmp)
opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--window-size=1200,1000",
          "--user-data-dir=" + profile]:
    opts.add_argument(a)
driver = None
n_shot = [0]


def shot(name):
    n_shot[0] += 1
    driver.save_screenshot(os.path.join(SHOTS, "%02d-%s.png" %
                                        (n_shot[0], name)))


def must(cond, msg):
    if not cond:
        shot("failure")
        fail(msg)


def by_id(i):
    return driver.find_element(By.ID, i)


def navigate(el):
    """Click el and wait for the page it leads to: a mark set on the old
    page's window is gone once the new page has replaced it."""
    driver.execute_script("window.ucOldPage = true")
    el.click()
    WebDriverWait(driver, 120).until(lambda d: d.execute_script(
        "return window.ucOldPage === undefined &&"
        " document.readyState === 'complete'"))


def press(i):
    navigate(by_id(i))


def sign_in(account):
    driver.get(fx.base + "/login")
    by_id("account").send_keys(account)
    by_id("password").send_keys(PASSWORD)
    press("sign-in")
    must(by_id("who").text.startswith(account), "signed in as " + account)


def sign_out():
    press("sign-out")
    must(driver.current_url.endswith("/login"), "signed out")


def status_of(nid):
    return fx.sql("SELECT status FROM members WHERE national_id = ?",
                  nid)[0][0]


try:
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                              options=opts)
    driver.get(fx.base + "/login")
    must(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") ==
         "vi", "Vietnamese first")
    shot("login")

    # a wrong password: one error summary linking to the field
    by_id("account").send_keys("TP01.clerk")
    by_id("password").send_keys("not the password")
    press("sign-in")
    links = driver.find_elements(By.CSS_SELECTOR, "#error-summary a")
    must(len(links) == 1 and links[0].get_attribute("href").endswith(
        "#password"), "login error summary links to the password field")
    must(by_id("password-error").text == links[0].text,
         "inline error says what the summary says")
    shot("login-error")

    # --- the clerk: a list with errors, then the fixed one ----------------
    sign_in("TP01.clerk")
    must(by_id("who-unit").text == "TP01" and
         by_id("who-role").text == "Cán bộ nhập liệu",
         "unit and role shown: " + by_id("who").text)
    shot("members-empty")
    bad = os.path.join(fx.tmp, "members-bad.csv")
    with open(bad, "w") as f:
        f.write("\n".join([HEADER, GOOD_ROWS[0],
                           "Dương Lê Hồng Thủy,1979-13-30,nữ,052179000456,"
                           "Giáo viên,01/09/2001,0",
                           "Nguyễn Văn Đức,05/06/1990,x,0520,Kế toán,"
                           "2015-01-15,no"]) + "\n")
    by_id("csv").send_keys(bad)
    press("upload")
    items = [a.text for a in driver.find_elements(By.CSS_SELECTOR,
                                                  "#error-summary li a")]
    must(len(items) == 4, "a heading and every error: %r" % items)
    must(any("Dòng 3" in t and "date_of_birth" in t for t in items) and
         any("Dòng 4" in t and "gender" in t for t in items) and
         any("Dòng 4" in t and "national_id" in t for t in items),
         "errors by line and field: %r" % items)
    must(all(a.get_attribute("href").endswith("#csv") for a in
             driver.find_elements(By.CSS_SELECTOR, "#error-summary a")),
         "each error links to the file field")
    must(fx.sql("SELECT count(*) FROM members")[0][0] == 0,
         "nothing saved from a file with errors")
    shot("upload-errors")

    good = os.path.join(fx.tmp, "members.csv")
    with open(good, "w") as f:
        f.write("\n".join([HEADER] + GOOD_ROWS) + "\n")
    by_id("csv").send_keys(good)
    press("upload")
    must("3" in by_id("notice").text, "notice: " + by_id("notice").text)
    rows = driver.find_elements(By.CSS_SELECTOR, "#members tbody tr")
    must(len(rows) == 3, "3 members listed")
    shot("members-imported")

    # accent-insensitive search, and the status filter
    by_id("q").send_keys("duc")
    press("find")
    rows = driver.find_elements(By.CSS_SELECTOR, "#members tbody tr")
    must(len(rows) == 1 and "Nguyễn Văn Đức" in rows[0].text,
         "'duc' finds Nguyễn Văn Đức")
    shot("search")
    driver.get(fx.base + "/members?status=approved")
    must(driver.find_elements(By.ID, "no-members"), "none approved yet")

    driver.get(fx.base + "/members")
    press("submit-members")
    must("3" in by_id("notice").text, "3 sent for approval")
    must(status_of("052185000123") == "submitted", "submitted in ledger")
    shot("members-submitted")
    sign_out()

    # --- the district approver: reject one, approve the rest -------------
    sign_in("TP.approver")
    must(driver.current_url.endswith("/queue"), "approver lands on queue")
    must(len(driver.find_elements(By.CSS_SELECTOR,
                                  "#queue-TP01 tbody tr")) == 3,
         "3 members of TP01 in the queue")
    shot("queue")
    by_id("reason-052179000456").send_keys("Sai ngày vào công đoàn")
    press("reject-052179000456")
    must(status_of("052179000456") == "rejected", "rejected in ledger")
    press("approve-all-TP01")
    must("2" in by_id("notice").text, "2 approved")
    must(status_of("052185000123") == "approved" and
         status_of("052090000789") == "approved", "approved in ledger")
    must(fx.sql("SELECT count(*) FROM members WHERE member_code IS NOT"
                " NULL")[0][0] == 2, "member codes for the two approved")
    shot("queue-done")
    sign_out()

    # --- the clerk: sees why, makes a request and sends it ---------------
    sign_in("TP01.clerk")
    driver.get(fx.base + "/members?status=rejected")
    must("Sai ngày vào công đoàn" in by_id("members").text,
         "the reason is shown to the clerk")
    shot("members-rejected")
    driver.get(fx.base + "/requests")
    press("create-request")
    rid = fx.sql("SELECT max(id) FROM requests")[0][0]
    must(rid is not None, "request made")
    must(by_id("request-%d" % rid).text.count("draft") == 1, "draft shown")
    press("requests/submit-%d" % rid)
    must(fx.sql("SELECT status FROM requests WHERE id = ?", rid)[0][0] ==
         "submitted", "request submitted")
    shot("request-submitted")
    sign_out()

    sign_in("TP.approver")
    press("requests/approve-%d" % rid)
    must(fx.sql("SELECT status FROM requests WHERE id = ?", rid)[0][0] ==
         "approved", "request approved")
    shot("request-approved")
    sign_out()

    sign_in("printer")
    must(by_id("who-unit").text == "52", "the province's unit shown")
    press("requests/accept-%d" % rid)
    must(fx.sql("SELECT status FROM requests WHERE id = ?", rid)[0][0] ==
         "accepted", "request accepted")
    must(fx.sql("SELECT count(*) FROM cards")[0][0] == 2,
         "a card reserved for each of the two lines")
    shot("request-accepted")

    # the station encodes the cards (the real CLI on virtual cards); the
    # province sees them encoded
    driver.get(fx.base + "/cards")
    must(sorted(td.text for td in driver.find_elements(
        By.CSS_SELECTOR, "#cards td.status")) == ["reserved", "reserved"],
        "two reserved cards listed")
    vc = os.path.join(os.environ["UC_BUILD_DIR"], "src", "tools",
                      "unioncard-vcard")
    keys = os.path.join(fx.tmp, "keys")
    hopper = os.path.join(fx.tmp, "hopper")
    os.makedirs(hopper)
    fx.env["UNIONCARD_PASSPHRASE"] = "station passphrase"
    fx.uc(None, "keys", "init", "--dir", keys)
    subprocess.run([vc, "hopper", hopper, "--count", "2", "--keys", keys],
                   check=True, capture_output=True)
    fx.uc("printer", "encode", "--request", str(rid), "--reader",
          "vcard:" + hopper, "--keys", keys, "--wait", "1")
    driver.get(fx.base + "/cards")
    must(sorted(td.text for td in driver.find_elements(
        By.CSS_SELECTOR, "#cards td.status")) == ["encoded", "encoded"],
        "the two cards show as encoded")
    shot("cards-encoded")

    # English second
    navigate(driver.find_element(By.CSS_SELECTOR, "a[href^='/lang']"))
    must(by_id("sign-out").text == "Sign out" and
         driver.find_element(By.TAG_NAME, "html").get_attribute("lang") ==
         "en", "English pages")
    shot("english")
    sign_out()
    ok("clerk uploads a list with errors, sees each by line and field,"
       " fixes it, sends it up; approver rejects one, approves two; clerk"
       " requests, approver approves, province accepts, the station encodes"
       " and the cards show as encoded (%d screenshots in"
       " %s)" % (n_shot[0], SHOTS))
finally:
    if driver is not None:
        driver.quit()
    fx.stop()
