# Seoul National University, Advanced Deep Learning, Deep Feedforward Networks 2 (U Kang),
# slide "Back-Propagation Example" (after Goodfellow, Bengio and Courville, Deep Learning,
# 6.5.5, Fig. 6.10): w feeds x and y, which both feed z, so
#   dz/dw <- dy/dw dz/dy + dx/dw dz/dx,   dz/dv <- dw/dv dz/dw
# and back-propagation re-uses the forward computation. grad(z, v) builds that backward pass
# out of ordinary nodes: dz/dx is the forward node y itself and dz/dy is x (re-used, not
# recomputed), the two paths from w meet in one add node, and dz/dv multiplies by tanh's
# local derivative 1 - w^2. Graph > Show Backward Graph builds it for every input at once.
v = 0.5
w = tanh(v)
x = sin(w)
y = w * w
z = x * y
dz_dv = grad(z, v)
output(z)
