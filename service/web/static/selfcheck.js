// Self-check: build the claim JSON from the form (or take the uploaded claim JSON), upload it with the files as
// an asynchronous check, show the job's progress (files and pages read), open the report. With the form, the upload also says which optional claim fields were given
// ("stated"), so a check whose deciding field was left out says "not checked" instead of passing.
(function () {
  "use strict";
  const form = document.getElementById("selfcheck");
  const progress = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  const fill = progress.querySelector(".fill");
  const error = document.getElementById("error");
  const button = document.getElementById("submit");
  const claimForm = document.getElementById("claim-form");
  const claimFileLabel = document.getElementById("claim-file-label");
  const claimFile = form.querySelector("input[name=claim_file]");

  function list(value) {
    return value.split(",").map((s) => s.trim()).filter(Boolean);
  }

  function fromFile() {
    return form.querySelector("input[name=claim_source]:checked").value === "file";
  }

  function showSource() {
    const file = fromFile();
    claimFileLabel.hidden = !file;
    claimFile.required = file;
    claimForm.hidden = file;
    for (const input of claimForm.querySelectorAll("input, select")) input.disabled = file;
  }

  // The claim from the form, and the optional fields (models.claim.OPTIONAL_FIELDS) its user gave.
  function claimFrom(data) {
    const stated = [];
    const partner = { name: data.get("partner_name").trim() };
    const customer = { name: data.get("customer_name").trim() };
    const claim = { claim_date: data.get("claim_date"), partner: partner, customer: customer,
                    workloads: data.getAll("workloads") };
    function text(obj, key, value, path) {
      if (value) { obj[key] = value; stated.push(path); }
    }
    function names(obj, key, field, path) {
      const values = list(data.get(field));
      if (values.length) { obj[key] = values; stated.push(path); }
    }
    function yesNo(obj, key, field, path) {
      const value = data.get(field);
      if (value) { obj[key] = value === "yes"; stated.push(path); }
    }
    names(partner, "aliases", "partner_aliases", "partner.aliases");
    names(partner, "domains", "partner_domains", "partner.domains");
    text(partner, "partner_id", data.get("partner_id").trim(), "partner.partner_id");
    yesNo(partner, "mci_enrolled", "mci_enrolled", "partner.mci_enrolled");
    yesNo(partner, "security_designation", "security_designation", "partner.security_designation");
    names(customer, "aliases", "customer_aliases", "customer.aliases");
    names(customer, "domains", "customer_domains", "customer.domains");
    text(customer, "tenant_id", data.get("tenant_id").trim(), "customer.tenant_id");
    text(customer, "country", data.get("country").trim().toUpperCase(), "customer.country");
    text(customer, "segment", data.get("segment"), "customer.segment");
    const flags = data.getAll("flags");
    if (flags.length || data.get("flags_none")) { customer.flags = flags; stated.push("customer.flags"); }
    text(claim, "claim_id", data.get("claim_id").trim(), "claim_id");
    text(claim, "association_month", data.get("association_month"), "association_month");
    return { claim: claim, stated: stated };
  }

  function fail(message) {
    progress.hidden = true;
    error.textContent = message;
    error.hidden = false;
    button.disabled = false;
  }

  // The job's real progress (GET /v1/jobs/{id}): pages read as the reader goes (of the page total once the
  // readers have counted the pages), then the checks, then the report.
  function show(job) {
    if (job.status === "queued") {
      text.textContent = "Queued; a reader starts shortly…";
      return;
    }
    const counted = job.pages_total > 0;
    const share = counted ? job.pages_done / job.pages_total : job.files_total ? job.files_done / job.files_total : 0;
    fill.style.width = Math.round(50 + 45 * Math.min(share, 1)) + "%";
    const pages = job.pages_done + (job.pages_done === 1 ? " page" : " pages");
    if (job.files_done >= job.files_total) {
      text.textContent = "Read " + pages + "; running the checks…";
      return;
    }
    const file = job.files_total > 1 ? "Reading file " + (job.files_done + 1) + " of " + job.files_total : "Reading the file";
    const read = counted ? job.pages_done + " of " + job.pages_total + " pages read" : pages + " read so far";
    text.textContent = file + ": " + read + " (OCR of scans takes a few seconds a page)…";
  }

  function follow(location) {
    const poll = new XMLHttpRequest();
    poll.open("GET", location);
    poll.onload = function () {
      let job = null;
      try { job = JSON.parse(poll.responseText); } catch (e) { /* not JSON */ }
      if (poll.status !== 200 || !job) return fail("The check's progress could not be read (" + poll.status + ").");
      if (job.status === "done") {
        fill.style.width = "100%";
        text.textContent = "Done.";
        window.location.assign("/reports/" + job.report_id);
      } else if (job.status === "failed") {
        fail(job.error ? job.error.message + " (" + job.error.code + ")" : "The check failed.");
      } else {
        show(job);
        window.setTimeout(function () { follow(location); }, 700);
      }
    };
    poll.onerror = function () { window.setTimeout(function () { follow(location); }, 2000); };
    poll.send();
  }

  for (const radio of form.querySelectorAll("input[name=claim_source]")) radio.addEventListener("change", showSource);
  showSource();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const data = new FormData(form);
    const body = new FormData();
    if (fromFile()) {
      if (!claimFile.files.length) return fail("Choose the claim JSON file.");
      body.append("claim", claimFile.files[0], claimFile.files[0].name);
    } else {
      if (data.getAll("workloads").length === 0) return fail("Choose at least one workload.");
      const built = claimFrom(data);
      body.append("claim", JSON.stringify(built.claim));
      body.append("stated", JSON.stringify(built.stated));
    }
    for (const file of form.querySelector("input[name=files]").files) body.append("files", file, file.name);

    error.hidden = true;
    button.disabled = true;
    progress.hidden = false;
    progress.classList.remove("working");
    fill.style.width = "0%";
    text.textContent = "Uploading…";

    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/checks?async=true");  // queued: the job's progress is followed below
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) fill.style.width = Math.round((50 * e.loaded) / e.total) + "%";
    };
    xhr.upload.onload = function () {
      text.textContent = "Uploaded; waiting for a reader…";
    };
    xhr.onload = function () {
      let reply = null;
      try { reply = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 202 && reply) {
        follow(xhr.getResponseHeader("Location") || "/v1/jobs/" + reply.id);
      } else if (xhr.status === 401) {
        window.location.assign("/login?next=/self-check");
      } else {
        fail(reply && reply.message ? reply.message + " (" + reply.code + ")" : "The check failed (" + xhr.status + ").");
      }
    };
    xhr.onerror = function () { fail("The server could not be reached."); };
    xhr.send(body);
  });
})();
