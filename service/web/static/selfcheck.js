// Self-check: build the claim JSON from the form, upload it with the files, show progress, open the report.
(function () {
  "use strict";
  const form = document.getElementById("selfcheck");
  const progress = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  const fill = progress.querySelector(".fill");
  const error = document.getElementById("error");
  const button = document.getElementById("submit");

  function list(value) {
    return value.split(",").map((s) => s.trim()).filter(Boolean);
  }

  function claimFrom(data) {
    const partner = { name: data.get("partner_name").trim(), domains: list(data.get("partner_domains")) };
    if (data.get("partner_id").trim()) partner.partner_id = data.get("partner_id").trim();
    const customer = {
      name: data.get("customer_name").trim(),
      domains: list(data.get("customer_domains")),
      country: (data.get("country").trim() || "US").toUpperCase(),
      segment: data.get("segment"),
    };
    if (data.get("tenant_id").trim()) customer.tenant_id = data.get("tenant_id").trim();
    const claim = { claim_date: data.get("claim_date"), partner: partner, customer: customer,
                    workloads: data.getAll("workloads") };
    if (data.get("claim_id").trim()) claim.claim_id = data.get("claim_id").trim();
    return claim;
  }

  function fail(message) {
    progress.hidden = true;
    error.textContent = message;
    error.hidden = false;
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const data = new FormData(form);
    if (data.getAll("workloads").length === 0) return fail("Choose at least one workload.");
    const body = new FormData();
    body.append("claim", JSON.stringify(claimFrom(data)));
    for (const file of form.querySelector("input[type=file]").files) body.append("files", file, file.name);

    error.hidden = true;
    button.disabled = true;
    progress.hidden = false;
    progress.classList.remove("working");
    fill.style.width = "0%";
    text.textContent = "Uploading…";

    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/checks");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) fill.style.width = Math.round((100 * e.loaded) / e.total) + "%";
    };
    xhr.upload.onload = function () {
      progress.classList.add("working");
      text.textContent = "Reading the documents (OCR of scans takes a few seconds a page) and running the checks…";
    };
    xhr.onload = function () {
      let reply = null;
      try { reply = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 201 && reply) {
        text.textContent = "Done.";
        window.location.assign("/reports/" + reply.id);
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
